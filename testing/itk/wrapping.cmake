# wrapping ITK tests (label itk): the C I/O API from a C program, the ITK filter against ITK's own LabelOverlapMeasuresImageFilter, and the example
# pipeline run on phantom files.

# The C I/O API, from C (no ITK in this program: the IO factories must register themselves).
lobedice_add_test(test_wrapping_io LABEL itk
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_wrapping_io.c
  LIBS lobedice::io ZLIB::ZLIB)
target_compile_definitions(test_wrapping_io PRIVATE
  LOBEDICE_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}"
  LOBEDICE_PHANTOM_EXE="$<TARGET_FILE:lobedice-phantom>")
add_dependencies(test_wrapping_io lobedice-phantom)

# The filter (one ITK translation unit).
lobedice_add_test(test_wrapping_filter LABEL itk
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_wrapping_filter.cxx
  LIBS lobedice::itk ${ITK_LIBRARIES})
target_include_directories(test_wrapping_filter SYSTEM PRIVATE ${ITK_INCLUDE_DIRS})

# The example of docs/wrapping.md: reader -> filter -> table, on a phantom pair written by
# lobedice-phantom (fixture set up and removed by CTest).
add_executable(lobedice_itk_example ${CMAKE_CURRENT_SOURCE_DIR}/lobedice_itk_example.cxx)
target_link_libraries(lobedice_itk_example PRIVATE lobedice::itk ${ITK_LIBRARIES}
  lobedice_warnings)
target_include_directories(lobedice_itk_example SYSTEM PRIVATE ${ITK_INCLUDE_DIRS})
set(example_ref ${CMAKE_CURRENT_BINARY_DIR}/example_reference.nrrd)
set(example_pred ${CMAKE_CURRENT_BINARY_DIR}/example_prediction.nrrd)
add_test(NAME test_wrapping_example_setup
  COMMAND lobedice-phantom --size 64,64,40 --type short --encoding gzip
          ${example_ref} ${example_pred})
add_test(NAME test_wrapping_example_cleanup
  COMMAND ${CMAKE_COMMAND} -E rm -f ${example_ref} ${example_pred})
set_tests_properties(test_wrapping_example_setup PROPERTIES
  LABELS itk FIXTURES_SETUP wrapping_example)
set_tests_properties(test_wrapping_example_cleanup PROPERTIES
  LABELS itk FIXTURES_CLEANUP wrapping_example)
# The table must show the five lobes with a Dice in (0.5, 1) and the summary line; a failure
# prints no table, so the expressions cannot match.
set(example_row " *[1-5]  0\\.[5-9][0-9]+  0\\.[0-9]+ ")
string(REPEAT "${example_row}[^\n]*\n" 5 example_rows)
add_test(NAME test_wrapping_example COMMAND lobedice_itk_example ${example_ref} ${example_pred})
add_test(NAME test_wrapping_example_surface
  COMMAND lobedice_itk_example ${example_ref} ${example_pred} --surface)
set_tests_properties(test_wrapping_example test_wrapping_example_surface PROPERTIES
  LABELS itk FIXTURES_REQUIRED wrapping_example
  PASS_REGULAR_EXPRESSION "label +dice[^\n]*\n${example_rows}mean Dice 0\\.[5-9][0-9]+ over 5 labels")

# Slicer segmentation files (single and multi-layer, cropped, Slicer's CLI file name) read as
# lobe maps, and written with their segment keys.
lobedice_add_test(test_wrapping_segmentation LABEL itk
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_wrapping_segmentation.c
  LIBS lobedice::io ZLIB::ZLIB)
target_compile_definitions(test_wrapping_segmentation PRIVATE
  LOBEDICE_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}")
