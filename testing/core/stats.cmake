# statistics over cases (label core): descriptive statistics, bootstrap interval, Bland-Altman.
lobedice_add_test(test_stats LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_stats.c)
