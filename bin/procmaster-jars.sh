# procmaster-jars.sh - sourced by the scripts that run procmaster from a built checkout, so that
# none of them repeats the Maven version (it lives only in the root pom.xml).
# usage: . bin/procmaster-jars.sh; pm_jars <checkout root>   (or pm_library_jar, below)
# Sets PM_JAR (the library's classes jar), PM_NATIVE_JAR (the linux-x86_64 native jar next to it),
# PM_CLI_JAR (the command line's executable jar, whose manifest names its class path in lib/),
# PM_LIB (cli/target/lib: the library, the native jar, picocli, slf4j-api and slf4j-simple) and
# PM_VERSION (the version from the jar's name). Returns 1, with the variables empty, when nothing
# is built yet (no library jar, or no command-line jar with its lib/).
# pm_library_jar <checkout root>: PM_JAR and PM_VERSION only (the library module alone built);
# returns 1, with both empty, when there is no library jar.
pm_library_jar() {
  PM_JAR= PM_VERSION=
  for f in "$1"/java/target/procmaster-*.jar; do
    case $f in
      *-linux-*.jar|*-sources.jar|*-javadoc.jar|*-tests.jar) ;;
      *) [ -f "$f" ] && PM_JAR=$f ;;
    esac
  done
  [ -n "$PM_JAR" ] || return 1
  PM_VERSION=${PM_JAR##*/procmaster-}
  PM_VERSION=${PM_VERSION%.jar}
}
pm_jars() {
  PM_NATIVE_JAR= PM_CLI_JAR=
  PM_LIB="$1/cli/target/lib"
  pm_library_jar "$1" || return 1
  PM_NATIVE_JAR=${PM_JAR%.jar}-linux-x86_64.jar
  PM_CLI_JAR="$1/cli/target/procmaster-cli-$PM_VERSION.jar"
  if [ ! -f "$PM_CLI_JAR" ] || [ ! -d "$PM_LIB" ]; then
    PM_JAR= PM_NATIVE_JAR= PM_CLI_JAR= PM_VERSION=
    return 1
  fi
}
