package dev.openplus.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import javax.net.SocketFactory;

/**
 * Lets the PostgreSQL JDBC driver talk to the embedded PostgreSQL over its Unix-domain socket instead of TCP on
 * the loopback interface: the same messages, without the TCP stack on both sides of every round trip
 * (bench/README.md, "Where a request's CPU goes"). The driver takes it through its {@code socketFactory} and
 * {@code socketFactoryArg} (the socket file's path) properties, and still names a host and port in the URL,
 * which the socket ignores.
 *
 * <p>The JDK has Unix-domain sockets only as channels, and the driver wants a {@link Socket}. The channel is
 * kept non-blocking and waits go through a selector, so that {@link Socket#setSoTimeout} works as the driver
 * expects: the pool's validation and the LISTEN connection's {@code getNotifications(timeout)} rely on reads
 * that end with a {@link SocketTimeoutException}.
 */
public final class UnixSocketFactory extends SocketFactory {
    private final Path path;

    /** @param path the socket file, e.g. {@code /data/run/.s.PGSQL.5432} (the driver's socketFactoryArg) */
    public UnixSocketFactory(String path) {
        this.path = Path.of(path);
    }

    @Override
    public Socket createSocket() {
        return new UnixDomainSocket(path);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected();
    }

    private Socket connected() throws IOException {
        UnixDomainSocket socket = new UnixDomainSocket(path);
        socket.connect(null, 0);
        return socket;
    }

    /** A {@link Socket} over a Unix-domain {@link SocketChannel}; only what a stream client uses. */
    static final class UnixDomainSocket extends Socket {
        private final Path path;
        private volatile SocketChannel channel;
        private volatile boolean closed;
        private volatile int timeoutMillis;
        private boolean tcpNoDelay;
        private boolean keepAlive;
        private Selector readSelector;
        private Selector writeSelector;
        private InputStream input;
        private OutputStream output;

        UnixDomainSocket(Path path) {
            this.path = path;
        }

        /** Connects to the socket file; the address the driver passes (its URL's host and port) is ignored. */
        @Override
        public synchronized void connect(SocketAddress ignored, int timeout) throws IOException {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (channel != null) {
                throw new SocketException("already connected");
            }
            SocketChannel opened = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                opened.connect(UnixDomainSocketAddress.of(path));
                opened.configureBlocking(false);
                readSelector = Selector.open();
                writeSelector = Selector.open();
                opened.register(readSelector, SelectionKey.OP_READ);
                opened.register(writeSelector, SelectionKey.OP_WRITE);
            } catch (IOException | RuntimeException e) {
                closeQuietly(readSelector);
                closeQuietly(writeSelector);
                opened.close();
                throw e;
            }
            channel = opened;
            input = new ChannelInput();
            output = new ChannelOutput();
        }

        @Override
        public void connect(SocketAddress ignored) throws IOException {
            connect(ignored, 0);
        }

        @Override
        public void bind(SocketAddress local) throws IOException {
            throw new SocketException("a Unix-domain connection to PostgreSQL has no local address to bind");
        }

        @Override
        public boolean isConnected() {
            return channel != null;
        }

        @Override
        public boolean isBound() {
            return channel != null;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            open();
            return input;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            open();
            return output;
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            if (timeout < 0) {
                throw new IllegalArgumentException("timeout can't be negative");
            }
            timeoutMillis = timeout;
        }

        @Override
        public int getSoTimeout() {
            return timeoutMillis;
        }

        // TCP's options mean nothing here; the driver sets them on every socket, so they are kept, not refused.
        @Override
        public void setTcpNoDelay(boolean on) {
            tcpNoDelay = on;
        }

        @Override
        public boolean getTcpNoDelay() {
            return tcpNoDelay;
        }

        @Override
        public void setKeepAlive(boolean on) {
            keepAlive = on;
        }

        @Override
        public boolean getKeepAlive() {
            return keepAlive;
        }

        @Override
        public void setSendBufferSize(int size) throws SocketException {
            setIntOption(StandardSocketOptions.SO_SNDBUF, size);
        }

        @Override
        public int getSendBufferSize() throws SocketException {
            return intOption(StandardSocketOptions.SO_SNDBUF);
        }

        @Override
        public void setReceiveBufferSize(int size) throws SocketException {
            setIntOption(StandardSocketOptions.SO_RCVBUF, size);
        }

        @Override
        public int getReceiveBufferSize() throws SocketException {
            return intOption(StandardSocketOptions.SO_RCVBUF);
        }

        private void setIntOption(java.net.SocketOption<Integer> option, int value) throws SocketException {
            try {
                open().setOption(option, value);
            } catch (SocketException e) {
                throw e;
            } catch (IOException e) {
                throw socketException(e);
            }
        }

        private int intOption(java.net.SocketOption<Integer> option) throws SocketException {
            try {
                return open().getOption(option);
            } catch (SocketException e) {
                throw e;
            } catch (IOException e) {
                throw socketException(e);
            }
        }

        @Override
        public void shutdownInput() throws IOException {
            open().shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            open().shutdownOutput();
        }

        /** May come from another thread than the one reading (the pool aborting a connection): wakes it up. */
        @Override
        public void close() throws IOException {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            SocketChannel open = channel;
            try {
                if (open != null) {
                    open.close();
                }
            } finally {
                closeQuietly(readSelector);
                closeQuietly(writeSelector);
                super.close();
            }
        }

        @Override
        public String toString() {
            return "UnixDomainSocket[" + path + (closed ? ", closed" : "") + "]";
        }

        private SocketChannel open() throws SocketException {
            SocketChannel open = channel;
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (open == null) {
                throw new SocketException("Socket is not connected");
            }
            return open;
        }

        /**
         * Waits until the channel is ready for {@code selector}'s one operation.
         *
         * @param timeout milliseconds, 0 for no limit
         */
        private void await(Selector selector, long deadlineNanos, int timeout) throws IOException {
            try {
                while (true) {
                    if (closed) {
                        throw new SocketException("Socket closed");
                    }
                    long wait = 0;
                    if (timeout > 0) {
                        long remaining = deadlineNanos - System.nanoTime();
                        if (remaining <= 0) {
                            throw new SocketTimeoutException("Read timed out");
                        }
                        wait = Math.max(1, remaining / 1_000_000);
                    }
                    int ready = selector.select(wait);
                    selector.selectedKeys().clear();
                    if (ready > 0) {
                        return;
                    }
                }
            } catch (ClosedSelectorException e) {
                throw new SocketException("Socket closed");
            }
        }

        private final class ChannelInput extends InputStream {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
                if (length == 0) {
                    return 0;
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                int timeout = timeoutMillis;
                long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
                synchronized (readSelector) {
                    while (true) {
                        int n = read(buffer);
                        if (n != 0) {
                            return n;
                        }
                        await(readSelector, deadline, timeout);
                    }
                }
            }

            private int read(ByteBuffer buffer) throws IOException {
                try {
                    return open().read(buffer);
                } catch (ClosedChannelException e) {
                    throw new SocketException("Socket closed");
                }
            }

            @Override
            public void close() throws IOException {
                UnixDomainSocket.this.close();
            }
        }

        private final class ChannelOutput extends OutputStream {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            /** Writes do not time out, as with {@link Socket}'s own streams. */
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                synchronized (writeSelector) {
                    while (buffer.hasRemaining()) {
                        int n;
                        try {
                            n = open().write(buffer);
                        } catch (ClosedChannelException e) {
                            throw new SocketException("Socket closed");
                        }
                        if (n == 0) {
                            await(writeSelector, 0, 0);
                        }
                    }
                }
            }

            @Override
            public void close() throws IOException {
                UnixDomainSocket.this.close();
            }
        }

        private static SocketException socketException(IOException e) {
            SocketException wrapped = new SocketException(e.getMessage());
            wrapped.initCause(e);
            return wrapped;
        }

        private static void closeQuietly(Selector selector) {
            if (selector != null) {
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // nothing holds it any more
                }
            }
        }
    }
}
