package io.signalmesh.routing;

import io.signalmesh.presence.Member;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.protocol.SignalingException;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Delivers frames to clients wherever they are: straight to the session when it is on this
 * node, else once per node to that node's inbox. Finds peers only through the local room
 * views, so a relay never waits on the presence store.
 */
public final class MeshRouter {

  private final String nodeId;
  private final SessionRegistry sessions;
  private final RoomViews views;
  private final NodeInbox inbox;
  private final SessionForwards forwards;

  public MeshRouter(String nodeId, SessionRegistry sessions, RoomViews views, NodeInbox inbox, SessionForwards forwards) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.views = views;
    this.inbox = inbox;
    this.forwards = forwards;
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Relays a frame (its UTF-8 bytes, not to be changed afterwards: written, or sent to the
   * target's node, as they are) to a peer that shares a room with the sender.
   *
   * A target on a node that died gets the frame parked for its resume; a target on a live node
   * that does not confirm it in time means an {@code unavailable} error for the sender (see
   * {@link NodeLink}).
   *
   * @return true if the target is on another node
   * @throws SignalingException {@code unknown-peer} if no shared room holds the target,
   *     {@code unavailable} if the target cannot take it now (resume inbox full, too slow)
   */
  public boolean relay(Session sender, ClientId target, byte[] frame) {
    Member member = sharedMember(sender, target);
    if (member == null) {
      throw new SignalingException(ErrorCode.UNKNOWN_PEER, "no peer " + target + " in your rooms");
    }
    if (!member.nodeId().equals(nodeId)) {
      inbox.relay(member.nodeId(), sender.id(), target, frame);
      return true;
    }
    switch (deliverLocal(target, frame)) {
      case SENT, QUEUED -> { }
      case REFUSED -> throw new SignalingException(ErrorCode.UNAVAILABLE,
          "peer " + target + " cannot take messages now (reconnecting with a full queue, or gone)");
    }
    return false;
  }

  /** Sends a frame to every member of the room but {@code except}. */
  public void toRoom(RoomId room, String frame, ClientId except) {
    toMembers(views.members(room), frame, except);
  }

  /** Sends a frame to the given members but {@code except}: local ones directly, the others once per node. */
  public void toMembers(Collection<Member> members, String frame, ClientId except) {
    fanOut(members, except, frame, (node, ids) -> sendTo(node, ids, frame));
  }

  /** Announces a join to the room: local members get the frame, other nodes also update their views. */
  public void announceJoin(RoomId room, Member joined, String frame) {
    fanOut(views.members(room), joined.clientId(), frame,
        (node, ids) -> inbox.sendJoined(node, ids, room, joined, frame));
  }

  /**
   * Announces a departure to the members the room had (taken before the leaver was removed
   * from the view): local ones get the frame, other nodes also update their views.
   */
  public void announceLeave(RoomId room, ClientId left, String frame, Collection<Member> recipients) {
    fanOut(recipients, left, frame, (node, ids) -> inbox.sendLeft(node, ids, room, left, frame));
  }

  /** A member resumed on this node: other nodes' views follow it, and no client is told anything. */
  public void announceMove(RoomId room, Member moved) {
    fanOut(views.members(room), moved.clientId(), null, (node, ids) -> inbox.sendJoined(node, List.of(), room, moved, ""));
  }

  /** Every client that shares at least one room with the session, once each. */
  public Set<Member> peersOf(Session session) {
    Map<ClientId, Member> peers = new HashMap<>();
    for (RoomId room : session.rooms()) {
      for (Member member : views.members(room)) {
        if (!member.clientId().equals(session.id())) {
          peers.putIfAbsent(member.clientId(), member);
        }
      }
    }
    return new LinkedHashSet<>(peers.values());
  }

  /**
   * Delivers to a session held by this node; a session that moved to another node recently
   * gets the frame sent on there.
   */
  public Session.Delivery deliverLocal(ClientId target, String frame) {
    Session session = sessions.get(target);
    return session != null ? session.deliver(frame) : forward(target, node -> sendTo(node, List.of(target), frame));
  }

  /**
   * {@link #deliverLocal} for a frame given as its UTF-8 bytes (a relay, or what another node
   * sent): written, or sent on, as they are.
   */
  public Session.Delivery deliverLocal(ClientId target, byte[] frame) {
    Session session = sessions.get(target);
    return session != null ? session.deliverUtf8(frame)
        : forward(target, node -> inbox.sendUtf8(node, List.of(target), frame));
  }

  private Session.Delivery forward(ClientId target, Consumer<String> sendToNode) {
    String movedTo = forwards.nodeOf(target);
    if (movedTo == null) {
      return Session.Delivery.REFUSED;
    }
    sendToNode.accept(movedTo);
    return Session.Delivery.SENT;
  }

  /** Sends to clients on another node; if that node cannot be reached, the frame is parked for their resume. */
  public void sendTo(String node, List<ClientId> targets, String frame) {
    inbox.send(node, targets, frame);
  }

  private Member sharedMember(Session sender, ClientId target) {
    if (target.equals(sender.id())) {
      return null;
    }
    for (RoomId room : sender.rooms()) {
      Member member = views.member(room, target);
      if (member != null) {
        return member;
      }
    }
    return null;
  }

  private void fanOut(Collection<Member> members, ClientId except, String frame, NodeSender remote) {
    Map<String, List<ClientId>> byNode = null;
    for (Member member : members) {
      if (member.clientId().equals(except)) {
        continue;
      }
      if (member.nodeId().equals(nodeId)) {
        if (frame != null) {
          deliverLocal(member.clientId(), frame);
        }
      } else {
        if (byNode == null) {
          byNode = new HashMap<>();
        }
        byNode.computeIfAbsent(member.nodeId(), n -> new ArrayList<>()).add(member.clientId());
      }
    }
    if (byNode != null) {
      byNode.forEach(remote::send);
    }
  }

  @FunctionalInterface
  private interface NodeSender {
    void send(String node, List<ClientId> targets);
  }
}
