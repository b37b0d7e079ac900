package io.procmaster.helper.process;

import io.procmaster.helper.wire.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes waiting to go to one helper: request lines encoded ({@link WireFormat}) and appended as
 * they are dispatched, written with as few system calls as the channel allows. This is the
 * write-accumulation buffer of Lusca's {@code helperDispatch} (docs/helper-ipc.md §2.4): the requests
 * dispatched to a helper in one loop iteration leave in one write, and the helper reads them with
 * one read.
 *
 * <p>Interface: {@link #appendRequest(boolean, long, String)} encodes without an intermediate String
 * or array for ASCII text, {@link #appendRequest(boolean, long, byte[])} copies a byte request as it is; {@link #writeTo} hands the pending bytes to the channel once and keeps what it did not take.
 * Loop-thread state only.
 *
 * <p>Failure modes: none of its own; {@link #writeTo} passes the channel's {@link IOException} on.
 * The buffer grows as needed; its size is bounded by the pool, which dispatches at most
 * {@code max(1, concurrency)} requests per helper at a time.
 */
public final class HelperOutput {
    private static final int INITIAL = 512;
    private static final int KEEP = 64 * 1024; // a larger buffer is dropped once it has drained

    private byte[] data = new byte[INITIAL];
    private ByteBuffer view = ByteBuffer.wrap(data);
    private int start; // first byte not yet written
    private int end;   // one past the last byte appended

    /**
     * Appends {@code [id SP] text LF}, UTF-8. LF ends every request whatever the pool's end-of-message
     * byte, as Squid ends them (its certificate helpers too: {@code src/ssl/helper.cc}); LFs inside
     * {@code text} (a certificate body's PEM lines) go out unchanged, the pool having checked that the
     * helper kind allows them ({@code wire.RequestFraming}; docs/helpers.md, "End of message").
     */
    public void appendRequest(boolean tagged, long id, String text) {
        int n = text.length();
        reserve(20 + 1 + n + 1);
        if (tagged) {
            appendDecimal(id);
            data[end++] = ' ';
        }
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) { // not ASCII: let the JDK encode the rest (i is never inside a surrogate pair)
                byte[] rest = text.substring(i).getBytes(StandardCharsets.UTF_8);
                reserve(rest.length + 1);
                System.arraycopy(rest, 0, data, end, rest.length);
                end += rest.length;
                break;
            }
            data[end++] = (byte) c;
        }
        data[end++] = '\n';
    }

    /** Appends {@code [id SP] request LF}, the request's bytes exactly as given. */
    public void appendRequest(boolean tagged, long id, byte[] request) {
        reserve(20 + 1 + request.length + 1);
        if (tagged) {
            appendDecimal(id);
            data[end++] = ' ';
        }
        System.arraycopy(request, 0, data, end, request.length);
        end += request.length;
        data[end++] = '\n';
    }

    public boolean isEmpty() {
        return start == end;
    }

    /** Bytes appended and not yet written. */
    public int pending() {
        return end - start;
    }

    /**
     * One write of the pending bytes; the channel may take fewer (or none, when its buffer is full).
     *
     * @return the number of bytes the channel took
     */
    public int writeTo(HelperChannel channel) throws IOException {
        view.limit(end).position(start);
        int n = channel.write(view);
        start = view.position();
        if (start == end) {
            start = end = 0;
            if (data.length > KEEP) replace(new byte[INITIAL]);
        }
        return n;
    }

    /** Drops everything pending (the helper is gone). */
    public void clear() {
        start = end = 0;
    }

    private void appendDecimal(long v) {
        if (v == 0) {
            data[end++] = '0';
            return;
        }
        int digits = 0;
        for (long x = v; x > 0; x /= 10) digits++;
        int at = end + digits;
        for (long x = v; x > 0; x /= 10) data[--at] = (byte) ('0' + (int) (x % 10));
        end += digits;
    }

    /** Makes room for {@code more} bytes after {@code end}: compacts first, grows if still short. */
    private void reserve(int more) {
        if (data.length - end >= more) return;
        int pending = end - start;
        byte[] target = data.length - pending >= more ? data : new byte[Math.max(data.length * 2, pending + more)];
        System.arraycopy(data, start, target, 0, pending);
        start = 0;
        end = pending;
        if (target != data) replace(target);
    }

    private void replace(byte[] b) {
        data = b;
        view = ByteBuffer.wrap(b);
    }
}
