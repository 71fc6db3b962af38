using System.Text;
using AclOperator.Acl.Rules;
using Xunit;

namespace AclOperator.Acl.Tests.Rules;

public sealed class SdsSplitArgsTests
{
    /// <summary>Each char is one byte (U+0000..U+00FF).</summary>
    private static byte[] B(string s) => s.Select(c => checked((byte)c)).ToArray();

    private static string S(byte[] b) => new(b.Select(x => (char)x).ToArray());

    public static TheoryData<string, string[]> Splits => new()
    {
        { "", [] },
        { "   ", [] },
        { " \t\n\r\v\f", [] },
        { "a", ["a"] },
        { "~a +get", ["~a", "+get"] },
        { "  ~a   +get  ", ["~a", "+get"] },
        { "a\tb\nc\rd", ["a", "b", "c", "d"] },
        { "a\vb", ["a\vb"] },               // \v and \f separate tokens only as leading blanks
        { "a\fb c", ["a\fb", "c"] },
        { "\va", ["a"] },
        { "\"a b\"", ["a b"] },
        { "~\"a\\x41\"", ["~aA"] },          // a quote may start mid-token
        { "\"\\x4a\\x4B\"", ["JK"] },
        { "\"\\xZZ\"", ["xZZ"] },            // not hex: "\x" is just 'x'
        { "\"\\x4\"", ["x4"] },
        { "\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"", ["\n\r\t\b\a\\\"q"] },
        { "\"\\x00\"", ["\0"] },             // \x00 inside quotes gives a NUL byte
        { "\"\"", [""] },
        { "''", [""] },
        { "a \"\" b", ["a", "", "b"] },
        { "'a b'", ["a b"] },
        { "'a\\'b'", ["a'b"] },
        { "'a\\nb'", ["a\\nb"] },            // single quotes: only \' is an escape
        { "'a\\\\b'", ["a\\\\b"] },
        { "x'y z'", ["xy z"] },
        { "\"a\"\tb", ["a", "b"] },
        { "\"a\"\vb", ["a", "b"] },          // closing quote followed by isspace \v is fine
        { "a\"b\"", ["ab"] },
        { "a\\nb", ["a\\nb"] },              // no escapes outside quotes
        { "\u00e9 \u00ff", ["\u00e9", "\u00ff"] },
        { "~a\0b +get", ["~a"] },            // a NUL byte ends the C string
        { "a \0\"unbalanced", ["a"] },
        { "(~a)", ["(~a)"] },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Split(string line, string[] expected)
    {
        List<byte[]>? result = SdsSplitArgs.Split(B(line));
        Assert.NotNull(result);
        Assert.Equal(expected, result.Select(S).ToArray());
    }

    [Theory]
    [InlineData("\"a")]
    [InlineData("'a")]
    [InlineData("a \"b c")]
    [InlineData("\"a\"b")]
    [InlineData("'a'b")]
    [InlineData("\"a\"\"b\"")]
    [InlineData("\"a\\\"")]                 // the escaped quote does not close
    [InlineData("'a\\'")]
    [InlineData("\"a\\")]                   // backslash at the end inside quotes
    [InlineData("\"a\0\"")]                 // NUL inside quotes: unterminated
    [InlineData("~\"a\"x +get")]
    public void Unbalanced_or_glued_quotes_return_null(string line) => Assert.Null(SdsSplitArgs.Split(B(line)));

    [Fact]
    public void Empty_input_gives_an_empty_list_not_null()
    {
        List<byte[]>? result = SdsSplitArgs.Split([]);
        Assert.NotNull(result);
        Assert.Empty(result);
    }

    [Fact]
    public void Tokens_are_independent_arrays()
    {
        List<byte[]>? result = SdsSplitArgs.Split("ab cd"u8);
        Assert.NotNull(result);
        Assert.Equal(["ab", "cd"], result.Select(b => Encoding.ASCII.GetString(b)).ToArray());
        Assert.NotSame(result[0], result[1]);
    }
}
