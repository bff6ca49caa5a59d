package io.signalmesh.webhook;

/**
 * One undelivered event of one receiver's outbox, as taken for an attempt.
 *
 * @param id the entry's id in the outbox (not the event's id, which is in the body)
 * @param body the event JSON, sent byte for byte
 * @param attempt which attempt this is, 1 for the first
 */
public record OutboxEntry(String id, String body, int attempt) {}
