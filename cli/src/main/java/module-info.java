/**
 * The procmaster command line ({@code run}, {@code check}, {@code status}, {@code reload},
 * {@code stop}; docs/cli.md): picocli over the library's API. picocli reflects on the command
 * classes, hence the {@code opens}.
 */
module io.procmaster.cli {
    requires io.procmaster;
    requires info.picocli;
    requires org.slf4j;
    // PeerCredentials: SO_PEERCRED of a control-socket peer.
    requires jdk.net;
    // run: SIGHUP reloads and SIGTERM stops (sun.misc.Signal).
    requires jdk.unsupported;

    opens io.procmaster.cli to info.picocli;
}
