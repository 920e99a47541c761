# Installs the listed components of a build tree into a fresh prefix, one after the other, as
# `cmake --install BUILD --prefix PREFIX --component C` does for each.
# Usage: cmake -DBUILD_DIR=build -DPREFIX=/tmp/p "-DCOMPONENTS=runtime;cli" -P install_components.cmake
file(REMOVE_RECURSE "${PREFIX}")
foreach(component IN LISTS COMPONENTS)
  execute_process(
    COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
            --component "${component}"
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "installing the component ${component} failed (${result})")
  endif()
endforeach()
