using System.Buffers;
using AclOperator.Server.Protocol;
using Xunit;
using static AclOperator.Server.Tests.Protocol.ProtocolTestUtil;

namespace AclOperator.Server.Tests.Protocol;

public class RespWriterTests
{
    private static string Write(int protocol, Action<RespWriter> action)
    {
        var buffer = new ArrayBufferWriter<byte>();
        action(new RespWriter(buffer, protocol));
        return S(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Common_forms_are_identical_in_both_protocols(int protocol)
    {
        Assert.Equal("+OK\r\n", Write(protocol, w => w.WriteSimpleString("OK")));
        Assert.Equal("+a b\r\n", Write(protocol, w => w.WriteSimpleString("a\nb"u8)));
        Assert.Equal("-ERR x  y\r\n", Write(protocol, w => w.WriteError("ERR x\r\ny\r\n")));
        Assert.Equal("-NOPERM a b\r\n", Write(protocol, w => w.WriteError("NOPERM a\nb"u8)));
        Assert.Equal(":0\r\n", Write(protocol, w => w.WriteInteger(0)));
        Assert.Equal(":-9223372036854775808\r\n", Write(protocol, w => w.WriteInteger(long.MinValue)));
        Assert.Equal(":9223372036854775807\r\n", Write(protocol, w => w.WriteInteger(long.MaxValue)));
        Assert.Equal("$3\r\nfoo\r\n", Write(protocol, w => w.WriteBulkString("foo"u8)));
        Assert.Equal("$0\r\n\r\n", Write(protocol, w => w.WriteBulkString(""u8)));
        Assert.Equal("$2\r\n\u00ff\u0000\r\n", Write(protocol, w => w.WriteBulkString("\u00ff\u0000")));
        Assert.Equal("*3\r\n", Write(protocol, w => w.WriteArrayHeader(3)));
        Assert.Equal("*0\r\n", Write(protocol, w => w.WriteArrayHeader(0)));
        Assert.Equal("+\u00e9\r\n", Write(protocol, w => w.WriteRaw(B("+\u00e9\r\n"))));
    }

    [Fact]
    public void Resp2_forms()
    {
        Assert.Equal("$-1\r\n", Write(2, w => w.WriteNull()));
        Assert.Equal("*-1\r\n", Write(2, w => w.WriteNullArray()));
        Assert.Equal("*4\r\n", Write(2, w => w.WriteMapHeader(2)));
        Assert.Equal("*2\r\n", Write(2, w => w.WriteSetHeader(2)));
        Assert.Equal("*3\r\n", Write(2, w => w.WritePushHeader(3)));
        Assert.Equal(":1\r\n", Write(2, w => w.WriteBoolean(true)));
        Assert.Equal(":0\r\n", Write(2, w => w.WriteBoolean(false)));
        Assert.Equal("$3\r\n1.5\r\n", Write(2, w => w.WriteDouble(1.5)));
        Assert.Equal("$3\r\ninf\r\n", Write(2, w => w.WriteDouble(double.PositiveInfinity)));
        Assert.Equal("$5\r\nhello\r\n", Write(2, w => w.WriteVerbatim("hello")));
        Assert.Equal("$2\r\nhi\r\n", Write(2, w => w.WriteVerbatim("hi"u8, "mkd"u8)));
    }

    [Fact]
    public void Resp3_forms()
    {
        Assert.Equal("_\r\n", Write(3, w => w.WriteNull()));
        Assert.Equal("_\r\n", Write(3, w => w.WriteNullArray()));
        Assert.Equal("%2\r\n", Write(3, w => w.WriteMapHeader(2)));
        Assert.Equal("~2\r\n", Write(3, w => w.WriteSetHeader(2)));
        Assert.Equal(">3\r\n", Write(3, w => w.WritePushHeader(3)));
        Assert.Equal("#t\r\n", Write(3, w => w.WriteBoolean(true)));
        Assert.Equal("#f\r\n", Write(3, w => w.WriteBoolean(false)));
        Assert.Equal(",1.5\r\n", Write(3, w => w.WriteDouble(1.5)));
        Assert.Equal("=9\r\ntxt:hello\r\n", Write(3, w => w.WriteVerbatim("hello")));
        Assert.Equal("=6\r\nmkd:hi\r\n", Write(3, w => w.WriteVerbatim("hi"u8, "mkd"u8)));
    }

    [Theory]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.0, "1")]
    [InlineData(-42.0, "-42")]
    [InlineData(1.5, "1.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(3.14159, "3.14159")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-10, "1.5e-10")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1.2345678901234567e19, "12345678901234567000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.2345e25, "1.2345e+25")]
    [InlineData(1e300, "1e+300")]
    [InlineData(1e100, "1e+100")]
    [InlineData(4611686018427387904.0, "4611686018427387904")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    public void Double_uses_redis_d2string(double value, string expected)
    {
        Assert.Equal($",{expected}\r\n", Write(3, w => w.WriteDouble(value)));
        Assert.Equal($"${expected.Length}\r\n{expected}\r\n", Write(2, w => w.WriteDouble(value)));
    }

    [Fact]
    public void Large_bulk_and_protocol_validation()
    {
        var big = new byte[100_000];
        Random.Shared.NextBytes(big);
        var buffer = new ArrayBufferWriter<byte>();
        new RespWriter(buffer).WriteBulkString(big);
        Assert.Equal("$100000\r\n", S(buffer.WrittenSpan[..9]));
        Assert.True(buffer.WrittenSpan.Slice(9, big.Length).SequenceEqual(big));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RespWriter(buffer, 4));
    }
}
