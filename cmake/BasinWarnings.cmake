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
