# Use ccache when it is installed: the libtorch-heavy sources are slow to compile
# and CI rebuilds from a clean checkout.
find_program(BASIN_CCACHE ccache)
if(BASIN_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER "${BASIN_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${BASIN_CCACHE}")
endif()
