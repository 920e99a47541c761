# overlap benchmark: build-*/bin/bench_overlap [--threads N | N] [--repeats N] [--size X,Y,Z]
# (core vs ITK vs a plain read pass).
if(LOBEDICE_HAVE_ITK)
  add_executable(bench_overlap ${CMAKE_CURRENT_SOURCE_DIR}/bench_overlap.cxx)
  target_link_libraries(bench_overlap PRIVATE lobedice::lobedice lobedice_bench lobedice_warnings
    ${ITK_LIBRARIES})
endif()
