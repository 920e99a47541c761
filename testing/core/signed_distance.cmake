# signed distance, label bounds and the place of greatest disagreement (label core): brute
# force from docs/measures.md, closed forms, the surface measures, thread-count invariance.
lobedice_add_test(test_signed_distance LABEL core
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_signed_distance.c)
