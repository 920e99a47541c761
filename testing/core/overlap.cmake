# overlap tests (label core): overlap measures and the disagreement map, one-hot encoding,
# labels present and aggregates, status sentences and the version.
lobedice_add_test(test_overlap LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_overlap.c)
lobedice_add_test(test_onehot LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_onehot.c)
lobedice_add_test(test_labels LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_labels.c)
lobedice_add_test(test_status LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_status.c)
# label conventions, value counts, the mismatch check, Slicer segments and their flattening.
lobedice_add_test(test_conventions LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_conventions.c)
