package io.signalmesh.presence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The outbox contract of the in-memory store, whose events go to the consumer it was given. */
class InMemoryPresenceOutboxTest extends PresenceOutboxContract {

  private final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  protected PresenceStore newEmptyStore() {
    events.clear();
    return new InMemoryPresenceStore(events::add);
  }

  @Override
  protected List<String> recorded() {
    return List.copyOf(events);
  }
}
