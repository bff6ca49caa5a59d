package io.signalmesh.testsupport.netns;

import io.signalmesh.testsupport.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay that makes a path slow and unreliable, for kernels without {@code tc netem}: a
 * test puts it in the path of some connections (nft DNAT in the namespaces sends them here).
 * Every chunk of bytes, each direction, is held for the latency plus a random jitter (order
 * kept); now and then all forwarding stalls for a while; now and then one connection is cut
 * abruptly (RST both ways), losing whatever it still carried. Random choices come from a seed,
 * printed, so a run can be repeated.
 */
public final class SlowPathRelay implements AutoCloseable {

  /**
   * @param latency added to every chunk, each direction
   * @param jitter up to this much more, at random
   * @param stallEvery about this often (randomised ±50 %), forwarding stops ...
   * @param stallFor ... for this long
   * @param cutEvery about this often (randomised ±50 %), one open connection is cut
   */
  public record Profile(Duration latency, Duration jitter, Duration stallEvery, Duration stallFor, Duration cutEvery) {}

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Profile profile;
  private final Random random;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final AtomicLong stallUntilNanos = new AtomicLong();
  private final AtomicInteger stalls = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private final Thread acceptor;
  private final Thread chaos;
  private volatile boolean closed;

  private SlowPathRelay(ServerSocket server, InetSocketAddress target, Profile profile, long seed) {
    this.server = server;
    this.target = target;
    this.profile = profile;
    this.random = new Random(seed);
    this.acceptor = daemon("relay-accept-" + server.getLocalPort(), this::accept);
    this.chaos = daemon("relay-chaos-" + server.getLocalPort(), this::misbehave);
  }

  /** Listens on {@code listenHost} (a free port) and relays to {@code target}. */
  public static SlowPathRelay start(String listenHost, InetSocketAddress target, Profile profile, long seed) {
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(listenHost), FreePorts.next()));
        SlowPathRelay relay = new SlowPathRelay(server, target, profile, seed);
        System.out.printf("slow path relay %s -> %s, seed %d%n", server.getLocalSocketAddress(), target, seed);
        relay.acceptor.start();
        relay.chaos.start();
        return relay;
      } catch (IOException taken) {
        // another port
      }
    }
    throw new IllegalStateException("no port for a relay on " + listenHost);
  }

  public int port() {
    return server.getLocalPort();
  }

  public int stalls() {
    return stalls.get();
  }

  public int cuts() {
    return cuts.get();
  }

  public long bytes() {
    return bytes.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 2_000);
        } catch (IOException refused) {
          client.close();
          continue;
        }
        Link link = new Link(client, upstream);
        links.add(link);
        link.start();
      } catch (IOException e) {
        if (!closed) {
          System.out.println("relay accept failed: " + e);
        }
      }
    }
  }

  /** Stalls and cuts at random moments until closed. */
  private void misbehave() {
    long nextStall = System.nanoTime() + spread(profile.stallEvery());
    long nextCut = System.nanoTime() + spread(profile.cutEvery());
    while (!closed) {
      long now = System.nanoTime();
      if (now >= nextStall) {
        stallUntilNanos.set(now + profile.stallFor().toNanos());
        stalls.incrementAndGet();
        nextStall = now + profile.stallFor().toNanos() + spread(profile.stallEvery());
      }
      if (now >= nextCut) {
        List<Link> open = links.stream().filter(l -> !l.ended).toList();
        if (!open.isEmpty()) {
          open.get(random.nextInt(open.size())).cut();
          cuts.incrementAndGet();
        }
        nextCut = now + spread(profile.cutEvery());
      }
      sleep(20_000_000L);
    }
  }

  private synchronized long spread(Duration every) {
    return (long) (every.toNanos() * (0.5 + random.nextDouble()));
  }

  private synchronized long delayNanos() {
    return profile.latency().toNanos() + (long) (random.nextDouble() * profile.jitter().toNanos());
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    links.forEach(Link::cut);
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A chunk of bytes due for delivery at {@code dueNanos}; null data marks the end of the stream. */
  private record Chunk(byte[] data, long dueNanos) {}

  /** One relayed connection: two sockets, a direction each way. */
  private final class Link {
    private final Socket client;
    private final Socket upstream;
    private volatile boolean ended;
    private final AtomicInteger directionsDone = new AtomicInteger();

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start() throws IOException {
      direction(client, upstream);
      direction(upstream, client);
    }

    private void direction(Socket from, Socket to) throws IOException {
      LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      String name = from.getPort() + "->" + to.getPort();
      daemon("relay-read-" + name, () -> {
        byte[] buffer = new byte[16 * 1024];
        long lastDue = 0;
        try {
          int read;
          while ((read = in.read(buffer)) >= 0) {
            lastDue = Math.max(lastDue, System.nanoTime() + delayNanos());
            queue.add(new Chunk(java.util.Arrays.copyOf(buffer, read), lastDue));
          }
        } catch (IOException e) {
          // cut, or closed by the other side
        }
        queue.add(new Chunk(null, lastDue));
      }).start();
      daemon("relay-write-" + name, () -> {
        try {
          while (!ended) {
            Chunk chunk = queue.poll(100, TimeUnit.MILLISECONDS);
            if (chunk == null) {
              continue;
            }
            long wait;
            while ((wait = Math.max(chunk.dueNanos(), stallUntilNanos.get()) - System.nanoTime()) > 0 && !ended) {
              sleep(Math.min(wait, 10_000_000L));
            }
            if (chunk.data() == null) {
              to.shutdownOutput();
              break;
            }
            out.write(chunk.data());
            out.flush();
            bytes.addAndGet(chunk.data().length);
          }
        } catch (IOException | InterruptedException e) {
          // cut
        }
        if (directionsDone.incrementAndGet() == 2) {
          end(false);
        }
      }).start();
    }

    /** Cuts the connection: RST both ways, what is queued is lost. */
    void cut() {
      end(true);
    }

    private synchronized void end(boolean abort) {
      if (ended) {
        return;
      }
      ended = true;
      links.remove(this);
      for (Socket socket : List.of(client, upstream)) {
        try {
          if (abort) {
            socket.setSoLinger(true, 0);
          }
          socket.close();
        } catch (IOException e) {
          // gone already
        }
      }
    }
  }
}
