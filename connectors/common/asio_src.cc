// Boost.Asio, its SSL support and Boost.Beast are compiled here once instead of in every
// translation unit that includes them (BOOST_*_SEPARATE_COMPILATION, see the top CMakeLists.txt).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
