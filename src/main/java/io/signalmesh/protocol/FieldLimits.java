package io.signalmesh.protocol;

/**
 * Sizes of the fields a client may set, so that one member cannot make every participant's
 * room-participants reply (and the presence store) large.
 *
 * @param maxNameLength longest display name, in characters
 * @param maxMetadataBytes largest {@code metadata} object, encoded as JSON
 */
public record FieldLimits(int maxNameLength, int maxMetadataBytes) {
}
