# docpipe_discover_test_suites(target [WORKING_DIRECTORY dir] [PROPERTIES name value...])
#
# Like GoogleTest's gtest_discover_tests, but one CTest test per test suite
# (`--gtest_filter=Suite.*`) instead of one per test. Most of docpipe's ~740 tests take
# milliseconds, and starting an instrumented test executable takes 0.2-0.6 s: one process
# per test spent a quarter of the sanitizer suite's time starting processes. A suite's
# tests share one process, so a test must not rely on state another test left behind
# (the same rule as `--gtest_shuffle`). gtest's own output still names every test.
# A suite passes when all its tests pass or are skipped (GTEST_SKIP: gtest prints which);
# unlike gtest_discover_tests, a skipped test does not mark the CTest test skipped, which
# for a whole suite would hide its other tests' results.
#
# The suites are listed after each build (`--gtest_list_tests`), as gtest_discover_tests
# does, so a new test needs no CMake change.
function(docpipe_discover_test_suites target)
  cmake_parse_arguments(ARG "" "WORKING_DIRECTORY" "PROPERTIES" ${ARGN})
  if(NOT ARG_WORKING_DIRECTORY)
    set(ARG_WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  set(suites_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.txt)
  set(include_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D TEST_EXECUTABLE=$<TARGET_FILE:${target}> -D SUITES_FILE=${suites_file}
            -P ${CMAKE_SOURCE_DIR}/cmake/list_gtest_suites.cmake
    BYPRODUCTS ${suites_file}
    VERBATIM)

  # Quote every property value as a bracket argument: values may hold spaces or ';'.
  set(properties "")
  foreach(word IN LISTS ARG_PROPERTIES)
    string(APPEND properties " [==[${word}]==]")
  endforeach()
  file(GENERATE OUTPUT ${include_file} CONTENT
"if(EXISTS [==[${suites_file}]==])
  file(STRINGS [==[${suites_file}]==] suites)
  foreach(suite IN LISTS suites)
    add_test(\"\${suite}\" [==[$<TARGET_FILE:${target}>]==] \"--gtest_filter=\${suite}.*\")
    set_tests_properties(\"\${suite}\" PROPERTIES WORKING_DIRECTORY [==[${ARG_WORKING_DIRECTORY}]==]${properties})
  endforeach()
else()
  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)
endif()
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()
