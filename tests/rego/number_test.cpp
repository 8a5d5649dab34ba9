// Numbers: representation choice, parse/format round trips, exact comparison, hashing and arithmetic.
#include "rego/number.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rego {
namespace {

// "head" followed by n zeros and then "tail" (built with append: GCC 12 misfires -Wrestrict on "lit" + string).
std::string Zeros(const char* head, size_t n, const char* tail = "") {
  std::string s = head;
  s.append(n, '0');
  s += tail;
  return s;
}

Value N(std::string_view text) {
  auto v = number::parse(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v ? *v : Value();
}

std::string F(const Value& v) { return number::format(v); }
std::string F(std::string_view text) { return number::format(N(text)); }

TEST(NumberParse, Representations) {
  EXPECT_EQ(N("0").num_rep(), NumRep::Int);
  EXPECT_EQ(N("-12").num_rep(), NumRep::Int);
  EXPECT_EQ(N("9223372036854775807").num_rep(), NumRep::Int);
  EXPECT_EQ(N("-9223372036854775808").num_rep(), NumRep::Int);
  EXPECT_EQ(N("9223372036854775808").num_rep(), NumRep::Big);
  EXPECT_EQ(N("18446744073709551617").num_rep(), NumRep::Big);
  EXPECT_EQ(N("1.0").num_rep(), NumRep::Int);
  EXPECT_EQ(N("1.5e1").num_rep(), NumRep::Int);
  EXPECT_EQ(N("1e3").num_rep(), NumRep::Int);
  EXPECT_EQ(N("1.5").num_rep(), NumRep::Float);
  EXPECT_EQ(N("0.1").num_rep(), NumRep::Float);
  EXPECT_EQ(N("-2.5e-3").num_rep(), NumRep::Float);
  EXPECT_EQ(N("1e300").num_rep(), NumRep::Big);  // whole numbers stay exact
  EXPECT_EQ(N("1.5e20").num_rep(), NumRep::Big);
  EXPECT_EQ(N("1.5e-300").num_rep(), NumRep::Float);
  EXPECT_EQ(N("1e400").num_rep(), NumRep::Big);
  EXPECT_EQ(N("1e-400").num_rep(), NumRep::Big);
  EXPECT_EQ(N("0.1234567890123456789").num_rep(), NumRep::Big);
  EXPECT_EQ(N("-0").num_rep(), NumRep::Int);
  EXPECT_EQ(N("-0.0e5").as_int(), 0);
}

TEST(NumberParse, RejectsNonJson) {
  for (const char* bad : {"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "1 ", " 1", "NaN", "Infinity", "--1",
                          "1.2.3", "1e5.5"}) {
    EXPECT_FALSE(number::parse(bad).has_value()) << bad;
  }
}

TEST(NumberFormat, Basics) {
  EXPECT_EQ(F("0"), "0");
  EXPECT_EQ(F("-17"), "-17");
  EXPECT_EQ(F("1.0"), "1");
  EXPECT_EQ(F("1.5"), "1.5");
  EXPECT_EQ(F("0.1"), "0.1");
  EXPECT_EQ(F("-0.000001"), "-0.000001");
  EXPECT_EQ(F("1e-7"), "1e-07");
  EXPECT_EQ(F("1.5e-7"), "1.5e-07");
  EXPECT_EQ(F("1e20"), "100000000000000000000");
  EXPECT_EQ(F("1e21"), "1000000000000000000000");  // a whole literal is an exact integer
  EXPECT_EQ(F(Value::floating(1e20)), "100000000000000000000");
  EXPECT_EQ(F(Value::floating(1e21)), "1e+21");
  EXPECT_EQ(F(Value::floating(1.25e300)), "1.25e+300");
  EXPECT_EQ(F(Value::floating(18446744073709551616.0)), "18446744073709552000");  // Go's 'f', -1
  EXPECT_EQ(F("123456.789"), "123456.789");
  EXPECT_EQ(F("18446744073709551617"), "18446744073709551617");
  EXPECT_EQ(F("-18446744073709551616"), "-18446744073709551616");
  EXPECT_EQ(F("0.1234567890123456789"), "0.1234567890123456789");
  EXPECT_EQ(F("1e400"), Zeros("1", 400));
  EXPECT_EQ(F("1e-400"), Zeros("0.", 399, "1"));
  EXPECT_EQ(F("12.5e-1000000"), "1.25e-999999");
  EXPECT_EQ(F("3e999999999"), "3e+999999999");
  EXPECT_EQ(F(Value::floating(4.0)), "4");
  EXPECT_EQ(F(Value::floating(-0.0)), "0");
}

TEST(NumberFormat, RoundTripsShortest) {
  for (double d : {0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1e-5, 123.456, 5e-324, 1.7976931348623157e308, 4.35,
                   0.30000000000000004}) {
    Value v = number::from_double(d);
    auto back = number::parse(F(v));
    ASSERT_TRUE(back.has_value()) << F(v);
    EXPECT_EQ(number::to_double(*back), d) << F(v);
  }
}

TEST(NumberCompare, ExactAcrossRepresentations) {
  EXPECT_EQ(number::compare(N("1"), Value::floating(1.0)), 0);
  EXPECT_EQ(number::compare(N("1"), N("1.0e0")), 0);
  EXPECT_LT(number::compare(N("9223372036854775807"), N("9223372036854775808")), 0);
  EXPECT_LT(number::compare(N("9223372036854775807"), Value::floating(9223372036854775808.0)), 0);
  EXPECT_GT(number::compare(N("-9223372036854775808"), Value::floating(-9223372036854777856.0)), 0);
  EXPECT_EQ(number::compare(N("18446744073709551616"), Value::floating(18446744073709551616.0)), 0);
  EXPECT_LT(number::compare(N("18446744073709551616"), N("18446744073709551617")), 0);
  EXPECT_GT(number::compare(N("1e400"), N("1e300")), 0);
  EXPECT_LT(number::compare(N("-1e400"), N("-1e300")), 0);
  EXPECT_GT(number::compare(N("1e-400"), N("0")), 0);
  EXPECT_LT(number::compare(N("1e-400"), N("1e-300")), 0);
  EXPECT_LT(number::compare(N("0.1"), N("0.1234567890123456789")), 0);
  EXPECT_LT(number::compare(N("2"), N("2.5")), 0);
  EXPECT_GT(number::compare(N("3"), N("2.5")), 0);
  EXPECT_LT(number::compare(N("-3"), N("-2.5")), 0);
  // The double nearest 0.1 is a little above 0.1; written out exactly it is this Big, and equal to the Float.
  Value exact = N("0.1000000000000000055511151231257827021181583404541015625");
  EXPECT_EQ(exact.num_rep(), NumRep::Big);
  EXPECT_EQ(number::compare(exact, N("0.1")), 0);
  EXPECT_EQ(number::hash(exact), number::hash(N("0.1")));
}

TEST(NumberHash, EqualNumbersHashEqually) {
  EXPECT_EQ(number::hash(N("3")), number::hash(Value::floating(3.0)));
  EXPECT_EQ(number::hash(N("0")), number::hash(Value::floating(-0.0)));
  EXPECT_EQ(number::hash(N("18446744073709551616")), number::hash(Value::floating(18446744073709551616.0)));
  EXPECT_NE(number::hash(N("1")), number::hash(N("2")));
}

TEST(NumberConvert, IntegersAndDoubles) {
  EXPECT_TRUE(number::is_integer(N("3")));
  EXPECT_TRUE(number::is_integer(Value::floating(3.0)));
  EXPECT_TRUE(number::is_integer(N("1e400")));
  EXPECT_FALSE(number::is_integer(N("1.5")));
  EXPECT_FALSE(number::is_integer(N("1e-400")));
  EXPECT_EQ(number::to_int64(N("42")), 42);
  EXPECT_EQ(number::to_int64(Value::floating(42.0)), 42);
  EXPECT_EQ(number::to_int64(N("1.5")), std::nullopt);
  EXPECT_EQ(number::to_int64(N("9223372036854775808")), std::nullopt);
  EXPECT_EQ(number::to_double(N("1e400")), HUGE_VAL);
  EXPECT_EQ(number::to_double(N("-1e400")), -HUGE_VAL);
  EXPECT_EQ(number::to_double(N("1e-400")), 0.0);
  EXPECT_EQ(number::to_double(N("18446744073709551617")), 18446744073709551616.0);
  EXPECT_EQ(number::from_double(3.0).num_rep(), NumRep::Int);
  EXPECT_EQ(number::from_double(3.5).num_rep(), NumRep::Float);
  EXPECT_EQ(number::from_double(1e19).num_rep(), NumRep::Float);
  EXPECT_EQ(number::integer_text(N("12")), "12");
  EXPECT_EQ(number::integer_text(N("1e25")), "10000000000000000000000000");
  EXPECT_EQ(number::integer_text(Value::floating(1e25)), "10000000000000000000000000");
  EXPECT_EQ(number::integer_text(Value::floating(1e19)), "10000000000000000000");
  EXPECT_EQ(number::integer_text(N("-18446744073709551617")), "-18446744073709551617");
}

TEST(NumberArith, IntFastPathAndOverflow) {
  EXPECT_EQ(F(number::add(N("1"), N("2"))), "3");
  EXPECT_EQ(F(number::add(N("9223372036854775807"), N("1"))), "9223372036854775808");
  EXPECT_EQ(number::add(N("9223372036854775807"), N("1")).num_rep(), NumRep::Big);
  EXPECT_EQ(F(number::subtract(N("-9223372036854775808"), N("1"))), "-9223372036854775809");
  EXPECT_EQ(F(number::multiply(N("4294967296"), N("4294967296"))), "18446744073709551616");
  EXPECT_EQ(F(number::negate(N("-9223372036854775808"))), "9223372036854775808");
  EXPECT_EQ(F(number::abs(N("-9223372036854775808"))), "9223372036854775808");
  // Big results that fit again come back as Int.
  Value r = number::subtract(N("18446744073709551617"), N("18446744073709551616"));
  EXPECT_EQ(r.num_rep(), NumRep::Int);
  EXPECT_EQ(r.as_int(), 1);
}

TEST(NumberArith, BigIntegersAreExact) {
  EXPECT_EQ(F(number::add(N("1e30"), N("1"))), "1000000000000000000000000000001");
  EXPECT_EQ(F(number::add(N("18446744073709551616"), N("1"))), "18446744073709551617");
  EXPECT_EQ(F(number::multiply(N("1e400"), N("3"))), Zeros("3", 400));
  EXPECT_EQ(F(number::multiply(N("123456789012345678901234567890"), N("987654321098765432109876543210"))),
            "121932631137021795226185032733622923332237463801111263526900");
  EXPECT_EQ(F(number::subtract(N("1e400"), N("1e400"))), "0");
  EXPECT_EQ(number::subtract(N("1e400"), N("1e400")).num_rep(), NumRep::Int);
}

TEST(NumberArith, DoublesAsOpa) {
  EXPECT_EQ(F(number::add(N("0.1"), N("0.2"))), "0.30000000000000004");
  EXPECT_EQ(F(number::add(N("0.5"), N("0.5"))), "1");
  EXPECT_EQ(number::add(N("0.5"), N("0.5")).num_rep(), NumRep::Int);
  EXPECT_EQ(F(number::multiply(N("1.5"), N("2"))), "3");
  EXPECT_EQ(F(number::subtract(N("1"), N("0.25"))), "0.75");
  EXPECT_EQ(F(number::add(N("1e-400"), N("1"))), "1");
}

TEST(NumberArith, WholeFloatsActAsIntegers) {
  // Value::floating(3.0) is the number 3: integer arithmetic with it stays exact.
  EXPECT_EQ(F(number::add(Value::floating(3.0), N("4611686018427387904"))), "4611686018427387907");
  EXPECT_EQ(F(number::multiply(Value::floating(2.0), N("9223372036854775807"))), "18446744073709551614");
  EXPECT_EQ(F(*number::remainder(Value::floating(7.0), N("3"))), "1");
  EXPECT_EQ(F(*number::divide(Value::floating(9.0), Value::floating(3.0))), "3");
}

TEST(NumberArith, Divide) {
  EXPECT_EQ(number::divide(N("1"), N("0")), std::nullopt);
  EXPECT_EQ(number::divide(N("1"), Value::floating(0.0)), std::nullopt);
  EXPECT_EQ(F(*number::divide(N("6"), N("3"))), "2");
  EXPECT_EQ(F(*number::divide(N("1"), N("2"))), "0.5");
  EXPECT_EQ(F(*number::divide(N("1"), N("3"))), "0.3333333333333333");
  EXPECT_EQ(F(*number::divide(N("-9223372036854775808"), N("-1"))), "9223372036854775808");
  EXPECT_EQ(F(*number::divide(N("1e400"), N("1e399"))), "10");
  EXPECT_EQ(F(*number::divide(N("36893488147419103232"), N("2"))), "18446744073709551616");
  EXPECT_EQ(F(*number::divide(N("7.5"), N("2.5"))), "3");
}

TEST(NumberArith, RemainderTakesDividendSign) {
  EXPECT_EQ(number::remainder(N("1"), N("0")), std::nullopt);
  EXPECT_EQ(F(*number::remainder(N("7"), N("3"))), "1");
  EXPECT_EQ(F(*number::remainder(N("-7"), N("3"))), "-1");
  EXPECT_EQ(F(*number::remainder(N("7"), N("-3"))), "1");
  EXPECT_EQ(F(*number::remainder(N("-9223372036854775808"), N("-1"))), "0");
  EXPECT_EQ(F(*number::remainder(N("10"), N("18446744073709551616"))), "10");
  EXPECT_EQ(F(*number::remainder(N("-100"), N("18446744073709551616"))), "-100");
  EXPECT_EQ(F(*number::remainder(N("18446744073709551617"), N("10"))), "7");
  EXPECT_EQ(F(*number::remainder(N("-18446744073709551617"), N("10"))), "-7");
  EXPECT_EQ(F(*number::remainder(N("1e400"), N("7"))), "4");  // 10^400 mod 7: 10^6 = 1 mod 7, 10^4 = 4 mod 7
  EXPECT_EQ(F(*number::remainder(N("1e999999999"), N("7"))), "6");  // 10^(999999999 mod 6 = 3) mod 7 = 6
  EXPECT_EQ(F(*number::remainder(N("1e400"), N("1e399"))), "0");
  EXPECT_EQ(F(*number::remainder(N("3e400"), N("7e399"))), Zeros("2", 399));
}

TEST(NumberArith, Rounding) {
  EXPECT_EQ(F(number::round(N("2.5"))), "3");
  EXPECT_EQ(F(number::round(N("-2.5"))), "-3");
  EXPECT_EQ(F(number::round(N("2.4"))), "2");
  EXPECT_EQ(F(number::floor(N("-1.5"))), "-2");
  EXPECT_EQ(F(number::ceil(N("-1.5"))), "-1");
  EXPECT_EQ(F(number::ceil(N("1.2"))), "2");
  EXPECT_EQ(number::floor(N("1.5")).num_rep(), NumRep::Int);
  EXPECT_EQ(F(number::floor(N("1e-400"))), "0");
  EXPECT_EQ(F(number::ceil(N("1e-400"))), "1");
  EXPECT_EQ(F(number::floor(N("-1e-400"))), "-1");
  EXPECT_EQ(F(number::round(N("-1e-400"))), "0");
  EXPECT_EQ(F(number::round(N("0.5000000000000000000001"))), "1");
  EXPECT_EQ(F(number::round(N("0.4999999999999999999999"))), "0");
  EXPECT_EQ(F(number::floor(N("12345678901234567890.5"))), "12345678901234567890");
  EXPECT_EQ(F(number::ceil(N("-12345678901234567890.5"))), "-12345678901234567890");
  EXPECT_EQ(F(number::round(N("12345678901234567890.5"))), "12345678901234567891");
  EXPECT_EQ(F(number::floor(N("1e400"))), Zeros("1", 400));
}

}  // namespace
}  // namespace rego
