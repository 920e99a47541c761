# batch benchmark: build-*/bin/bench_batch [--size X,Y,Z] [--cases N] [--repeats R] [--dir F]
# runs N phantom cases (default 20 of 256x256x160, surface distances) one by one with LobeDice
# on 1 thread, then with lobedice-batch; prints the batch's wall time against (sum of the
# single-case times) / cores and its peak RSS against (largest single case) x (jobs).
if(TARGET lobedice-batch AND TARGET lobedice-dataset)
  add_executable(bench_batch ${CMAKE_CURRENT_SOURCE_DIR}/bench_batch.c)
  target_link_libraries(bench_batch PRIVATE lobedice_bench lobedice_warnings)
  target_compile_definitions(bench_batch PRIVATE
    LOBEDICE_EXE="$<TARGET_FILE:LobeDice>"
    LOBEDICE_BATCH_EXE="$<TARGET_FILE:lobedice-batch>"
    LOBEDICE_DATASET_EXE="$<TARGET_FILE:lobedice-dataset>")
  add_dependencies(bench_batch LobeDice lobedice-batch lobedice-dataset)
endif()
