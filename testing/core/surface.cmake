# surface tests (label core): closed forms, the brute-force oracle (testing/surface_oracle.h),
# sets, thread-count invariance, progress reports and error statuses (about a second).
find_package(Threads REQUIRED)
lobedice_add_test(test_surface LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_surface.c
  LIBS Threads::Threads)
# values published in MONAI's and DeepMind's own surface-distance tests, and the tolerance tie.
lobedice_add_test(test_surface_published LABEL core
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_surface_published.c)
