package io.procmaster.helper.process;

import io.procmaster.helper.HelperException;

/**
 * Starts one helper process for a pool. Implemented by {@link ProcessHelperLauncher} (spawn through
 * the native core, register the channel and pidfd with the loop, route their events to {@code sink}
 * under {@code helperId}); tests use a fake.
 *
 * <p>Interface: called on the loop thread; must not block beyond the synchronous spawn (exec errors are
 * reported synchronously by the native core, so no hello handshake is needed).
 *
 * <p>Failure modes: throws {@link HelperException.Start} with the errno and stage when the helper could
 * not be started; no process and no descriptor must remain in that case, and no event for
 * {@code helperId} may follow.
 */
@FunctionalInterface
public interface HelperLauncher {
    HelperChannel start(long helperId, HelperEventSink sink) throws HelperException.Start;
}
