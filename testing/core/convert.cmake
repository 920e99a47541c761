# conversion tests (label core): the label conversions and the paste the wrapping layer uses.
lobedice_add_test(test_convert LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_convert.c)
