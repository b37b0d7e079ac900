/** The consumer check on the module path: a user's module that requires procmaster's. */
module io.procmaster.example.consumer {
    requires io.procmaster;
    requires java.management;
}
