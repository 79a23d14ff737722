package dev.herald.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * Sockets with Nagle's algorithm off. OkHttp writes a request's headers and body separately; with Nagle on,
 * the body waits for the receiver's delayed ACK of the headers: 40 ms per request on loopback. Public so that
 * the benchmark's direct client (the limit Herald is compared with) is configured the same.
 */
public final class NoDelaySocketFactory extends SocketFactory {
    private static Socket configure(Socket s) throws SocketException {
        s.setTcpNoDelay(true);
        return s;
    }

    @Override
    public Socket createSocket() throws IOException {
        return configure(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return configure(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return configure(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return configure(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return configure(new Socket(address, port, localAddress, localPort));
    }
}
