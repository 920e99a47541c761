# pictures benchmark: build-*/bin/bench_pictures [--size X,Y,Z] [--repeats N] [--type uchar|short]
# runs LobeDice with surface distances on the 512x512x320 phantom, then the same with
# --distanceModel and with --snapshot (no display); prints what each adds, the time ratios and
# the peak RSS ratios (issue 12's goals: < 1.5 s, < 0.5 s, < 2x).
if(TARGET LobeDice)
  add_executable(bench_pictures ${CMAKE_CURRENT_SOURCE_DIR}/bench_pictures.c)
  target_link_libraries(bench_pictures PRIVATE lobedice_bench lobedice_warnings)
  target_compile_definitions(bench_pictures PRIVATE
    LOBEDICE_EXE="$<TARGET_FILE:LobeDice>"
    LOBEDICE_PHANTOM_EXE="$<TARGET_FILE:lobedice-phantom>")
  add_dependencies(bench_pictures LobeDice lobedice-phantom)
endif()
