# Version information and install rules for the Debian package (scripts/package,
# docs/operations.md "Installing as a service"). Included at the end of the top-level
# CMakeLists.txt.

# `parley --version` names the commit: a target that runs at every build (git describe costs a few
# milliseconds) and rewrites build/generated/version_info.cpp only when the text changes.
set(PARLEY_VERSION_INFO ${CMAKE_BINARY_DIR}/generated/version_info.cpp)
add_custom_target(parley_version_info
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${PARLEY_VERSION_INFO}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_CURRENT_LIST_DIR}/version_info.cmake
  BYPRODUCTS ${PARLEY_VERSION_INFO}
  COMMENT "" VERBATIM)
target_sources(parley PRIVATE ${PARLEY_VERSION_INFO})
add_dependencies(parley parley_version_info)

# What `cmake --install build --prefix STAGING` puts where (scripts/package copies the same files
# with the modes Debian wants; these rules serve a plain `make install`-style installation).
include(GNUInstallDirs)
install(TARGETS parley RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES docs/man/parley.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES docs/man/parley.toml.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# sd_notify() for Type=notify units (src/app/systemd_notify.h says why the library).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
target_link_libraries(parley PRIVATE PkgConfig::SYSTEMD)

# Full RELRO: resolve every symbol at start so the GOT can be read-only (Debian's hardening
# "bindnow"; lintian hardening-no-bindnow). Link-time only: nothing recompiles.
target_link_options(parley PRIVATE LINKER:-z,now)
