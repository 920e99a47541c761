# surface benchmark: build-*/bin/bench_surface [--threads N] [--runs N | --repeats N]
# [--itk-runs N] [--no-itk] [--size X,Y,Z]
# (core vs itk::HausdorffDistanceImageFilter per lobe on the 512x512x320 phantom; one ITK unit).
if(LOBEDICE_HAVE_ITK)
  add_executable(bench_surface ${CMAKE_CURRENT_SOURCE_DIR}/bench_surface.cxx)
  target_link_libraries(bench_surface PRIVATE lobedice::lobedice lobedice_bench lobedice_warnings
    ${ITK_LIBRARIES})
  target_include_directories(bench_surface SYSTEM PRIVATE ${ITK_INCLUDE_DIRS})
endif()
