# Cross toolchain for the linux-aarch64 classifier jar (Debian: gcc-aarch64-linux-gnu).
# Use: mvn -Dnative.classifier=linux-aarch64 with -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-linux-aarch64.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
