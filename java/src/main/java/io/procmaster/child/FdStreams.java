package io.procmaster.child;

import io.procmaster.os.Fd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/** Blocking streams over one connection descriptor; closing them closes the descriptor. */
final class FdStreams implements AutoCloseable {
    private final Fd fd;
    private final ByteBuffer rbuf = ByteBuffer.allocateDirect(8192);
    private final ByteBuffer wbuf = ByteBuffer.allocateDirect(8192);

    FdStreams(Fd fd) {
        this.fd = fd;
        rbuf.limit(0);
    }

    InputStream in() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!rbuf.hasRemaining()) {
                    rbuf.clear();
                    int n = fd.read(rbuf);
                    rbuf.flip();
                    if (n < 0) {
                        return -1;
                    }
                }
                int n = Math.min(len, rbuf.remaining());
                rbuf.get(b, off, n);
                return n;
            }
        };
    }

    OutputStream out() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    wbuf.clear();
                    int n = Math.min(len, wbuf.capacity());
                    wbuf.put(b, off, n).flip();
                    while (wbuf.hasRemaining()) {
                        fd.write(wbuf);
                    }
                    off += n;
                    len -= n;
                }
            }
        };
    }

    @Override
    public void close() {
        fd.close();
    }

}
