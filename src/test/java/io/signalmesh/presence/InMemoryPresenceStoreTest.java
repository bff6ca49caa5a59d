package io.signalmesh.presence;

/** The presence contract for the embedded default. */
class InMemoryPresenceStoreTest extends PresenceStoreContract {

  @Override
  protected PresenceStore newEmptyStore() {
    return new InMemoryPresenceStore();
  }
}
