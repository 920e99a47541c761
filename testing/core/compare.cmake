# comparison tests (label core): the worked example, rows, regions, the empty policy, means,
# where HD is attained (brute-force oracle), options versions, the pinned ABI, error statuses.
lobedice_add_test(test_compare LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_compare.c)
