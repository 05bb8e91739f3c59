# basin_target_warnings(target): warnings for Basin's own code only (third-party
# headers are included as SYSTEM by their imported targets).
function(basin_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wno-unused-parameter)
  if(BASIN_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Qt targets never see Qt's `slots`/`signals`/`emit` keywords: libtorch uses `slots`
# as an identifier. Use Q_SIGNALS / Q_SLOTS / Q_EMIT.
function(basin_qt_target target)
  target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS)
  set_target_properties(${target} PROPERTIES AUTOMOC ON AUTORCC ON)
endfunction()

# Fuzzing (tools/fuzz.sh): with BASIN_FUZZ=ON and clang, the parsers and the
# fuzz targets are built with libFuzzer coverage and AddressSanitizer/UBSan.
option(BASIN_FUZZ "Build libFuzzer targets (needs clang)" OFF)
set(BASIN_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                         -fno-omit-frame-pointer)
function(basin_fuzz_instrument target)
  if(BASIN_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link ${BASIN_SANITIZE_FLAGS})
    target_link_options(${target} PUBLIC ${BASIN_SANITIZE_FLAGS})
  endif()
endfunction()
