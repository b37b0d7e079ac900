# Compiler and linker flags shared by every native target of procmaster.
# Warnings are errors; symbols are hidden unless exported on purpose; the
# library is linked with full RELRO. PROCMASTER_SANITIZE=ON adds ASan+UBSan
# (used by ci/sanitize.sh on the ctest suite, never for the shipped .so).
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS ON)
set(CMAKE_C_VISIBILITY_PRESET hidden)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

option(PROCMASTER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

add_compile_options(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
                    -Wno-unused-parameter -fstack-protector-strong -ffunction-sections -fdata-sections)
if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT PROCMASTER_SANITIZE)
  add_compile_definitions(_FORTIFY_SOURCE=2)
endif()
add_link_options(-Wl,-z,relro -Wl,-z,now -Wl,--as-needed -Wl,--gc-sections)

if(PROCMASTER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g)
  add_link_options(-fsanitize=address,undefined)
endif()
