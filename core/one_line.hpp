// one_line(): input echoed in an error message kept on one line (a tandem::Error is one line).
#pragma once

#include <string>
#include <string_view>

namespace tandem {

// `text` with line breaks, tabs and other control characters written as \n, \r, \t, \xHH.
std::string one_line(std::string_view text);

}  // namespace tandem
