/**
 * The master's read-only reports: {@link io.procmaster.status.ServiceStatus} (one service, for
 * {@code procmaster status}), {@link io.procmaster.status.ReloadSummary} and
 * {@link io.procmaster.status.ReloadResult} (what a start or reload did).
 *
 * <p>One model of each, from the policy that takes them to the facade that returns them: immutable
 * records, safe to hand to any thread. Part of the public API. Imports nothing of ours, so the policy
 * (below the facade) and the facade can both name them (docs/DESIGN.md §2).
 */
package io.procmaster.status;
