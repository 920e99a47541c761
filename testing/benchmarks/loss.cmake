# loss benchmark: build-*/bin/bench_loss [--repeats N] [--threads N] on the reference training
# step (2 x 64 x 96 x 96 x 6, channels last, softmax, label target).
add_executable(bench_loss ${CMAKE_CURRENT_SOURCE_DIR}/bench_loss.c)
target_link_libraries(bench_loss PRIVATE lobedice::lobedice lobedice_bench lobedice_warnings)
