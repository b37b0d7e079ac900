# procmaster-jars.sh - sourced by the scripts that run procmaster from a built checkout, so that
# none of them repeats the Maven version (it lives only in the root pom.xml).
# usage: . bin/procmaster-jars.sh; pm_jars <checkout root>
# Sets PM_JAR (classes jar), PM_NATIVE_JAR (the linux-x86_64 native jar next to it), PM_LIB
# (java/target/lib) and PM_VERSION (the version from the jar's name). Returns 1, with the
# variables empty, when java/target holds no procmaster jar yet (nothing built).
pm_jars() {
  PM_JAR= PM_NATIVE_JAR= PM_VERSION=
  PM_LIB="$1/java/target/lib"
  for f in "$1"/java/target/procmaster-*.jar; do
    case $f in
      *-linux-*.jar|*-sources.jar|*-javadoc.jar|*-tests.jar) ;;
      *) [ -f "$f" ] && PM_JAR=$f ;;
    esac
  done
  [ -n "$PM_JAR" ] || return 1
  PM_NATIVE_JAR=${PM_JAR%.jar}-linux-x86_64.jar
  PM_VERSION=${PM_JAR##*/procmaster-}
  PM_VERSION=${PM_VERSION%.jar}
}
