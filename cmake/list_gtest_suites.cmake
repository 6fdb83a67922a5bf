# Writes the test suites of a GoogleTest executable, one per line, to SUITES_FILE
# (run after each build by docpipe_discover_test_suites, cmake/GTestSuites.cmake).
execute_process(COMMAND ${TEST_EXECUTABLE} --gtest_list_tests
                OUTPUT_VARIABLE listing RESULT_VARIABLE result TIMEOUT 60)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --gtest_list_tests failed (${result}):\n${listing}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(suites "")
foreach(line IN LISTS lines)
  # A suite line starts in the first column and ends with '.' (parameterised suites add
  # a "  # TypeParam = ..." comment); test lines are indented.
  if(line MATCHES "^([^ #][^ ]*)\\.( |$)")
    string(APPEND suites "${CMAKE_MATCH_1}\n")
  endif()
endforeach()
file(WRITE ${SUITES_FILE} "${suites}")
