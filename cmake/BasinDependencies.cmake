# Finds every dependency first and fails once, with one sentence per missing
# package naming the Debian package that provides it.
set(_basin_missing "")

macro(basin_require name debian_package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    list(APPEND _basin_missing "${name} (Debian package ${debian_package})")
  endif()
endmacro()

find_package(Threads REQUIRED)
basin_require(MPI libopenmpi-dev COMPONENTS C)
basin_require(Qt6 "qt6-base-dev libqt6opengl6-dev qt6-svg-dev" COMPONENTS Core Gui Widgets OpenGL
              OpenGLWidgets Svg Test PrintSupport)
basin_require(Eigen3 libeigen3-dev NO_MODULE)
basin_require(ZLIB zlib1g-dev)
basin_require(QCustomPlotQt6 "libqcustomplot-dev libqcustomplot2.1-qt6")
basin_require(OpenGL libgl-dev)
basin_require(X11 libx11-dev)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(IMGUI QUIET IMPORTED_TARGET imgui)
endif()
if(NOT IMGUI_FOUND)
  list(APPEND _basin_missing "Dear ImGui (Debian package libimgui-dev)")
endif()
find_library(BASIN_LIBZIP zip)
find_path(BASIN_LIBZIP_INCLUDE zip.h)
if(NOT BASIN_LIBZIP OR NOT BASIN_LIBZIP_INCLUDE)
  list(APPEND _basin_missing "libzip (Debian package libzip-dev)")
endif()
set(HDF5_PREFER_PARALLEL OFF)
basin_require(HDF5 libhdf5-dev COMPONENTS C)
if(MPI_FOUND)
  basin_require(VTK libvtk9-dev COMPONENTS CommonCore CommonDataModel FiltersCore
                FiltersSources FiltersGeometry RenderingCore RenderingOpenGL2 RenderingUI
                RenderingAnnotation RenderingFreeType InteractionStyle IOImage IOXML
                IOExportGL2PS RenderingGL2PSOpenGL2)
endif()
# TorchConfig prints warnings of its own when parts are missing; keep them quiet.
find_package(Torch QUIET)
if(NOT Torch_FOUND AND NOT TORCH_FOUND)
  list(APPEND _basin_missing "libtorch (Debian package libtorch-dev)")
endif()

if(_basin_missing)
  list(JOIN _basin_missing "\n  - " _basin_list)
  message(FATAL_ERROR
    "Basin cannot be configured; missing:\n  - ${_basin_list}\n"
    "Run tools/bootstrap.sh as root to install them.")
endif()

if(NOT TARGET Basin::zip)
  add_library(Basin::zip INTERFACE IMPORTED)
  target_link_libraries(Basin::zip INTERFACE ${BASIN_LIBZIP})
  target_include_directories(Basin::zip SYSTEM INTERFACE ${BASIN_LIBZIP_INCLUDE})
endif()
if(NOT TARGET Basin::torch)
  # libtorch's imported target adds -D_GLIBCXX_USE_CXX11_ABI and include paths;
  # mark its headers SYSTEM so its warnings do not count as ours.
  add_library(Basin::torch INTERFACE IMPORTED)
  target_link_libraries(Basin::torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(Basin::torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
endif()
