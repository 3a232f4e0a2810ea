// Included first by each kernels_<isa>.cpp: every standard header Eigen uses, parsed BEFORE the
// file switches its target instruction set, so standard-library templates (shared by name with
// the rest of the program) are always compiled for the baseline ISA.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "trainers/kernels.hpp"
