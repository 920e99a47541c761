# wrapping benchmark: build-*/bin/bench_wrapping [--size X,Y,Z] [--repeats N] [--threads N]
# (itk::LobeDiceComparisonImageFilter's Update against the same core calls made directly).
if(LOBEDICE_HAVE_ITK)
  add_executable(bench_wrapping ${CMAKE_CURRENT_SOURCE_DIR}/bench_wrapping.cxx)
  target_link_libraries(bench_wrapping PRIVATE lobedice_bench lobedice::itk lobedice_warnings
    ${ITK_LIBRARIES})
  target_include_directories(bench_wrapping SYSTEM PRIVATE ${ITK_INCLUDE_DIRS})
endif()
