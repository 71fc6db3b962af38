using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace AclOperator.Server.Protocol;

/// <summary>
/// Writes RESP replies the way Redis 7.4 formats them (networking.c addReply*), in RESP2 or RESP3 according to
/// <see cref="Protocol"/>. Strings given as .NET strings are byte-strings (one char per byte, see
/// <c>AclOperator.Acl.AclText</c>) and are encoded as Latin-1. Nothing here allocates.
/// </summary>
public sealed class RespWriter
{
    private const int MaxHeader = 32; // type byte + 20 digits + sign + CRLF, rounded up

    private IBufferWriter<byte> _output;
    private int _protocol = 2;

    public RespWriter(IBufferWriter<byte> output, int protocol = 2)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Protocol = protocol;
    }

    /// <summary>The destination (settable so one writer can be reused).</summary>
    public IBufferWriter<byte> Output
    {
        get => _output;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _output = value;
        }
    }

    /// <summary>2 or 3 (HELLO's protover).</summary>
    public int Protocol
    {
        get => _protocol;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 3);
            _protocol = value;
        }
    }

    private bool Resp3 => _protocol == 3;

    /// <summary><c>+text\r\n</c>; CR/LF in the text become spaces so the reply stays one line.</summary>
    public void WriteSimpleString(ReadOnlySpan<byte> text) => WriteLine((byte)'+', text);

    /// <inheritdoc cref="WriteSimpleString(ReadOnlySpan{byte})"/>
    public void WriteSimpleString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteLine((byte)'+', text.AsSpan());
    }

    /// <summary>
    /// <c>-text\r\n</c>: <paramref name="text"/> is the whole message without the leading '-' and includes its code
    /// (e.g. <c>ERR unknown command</c>, <c>NOPERM ...</c>). As Redis's addReplyErrorFormat: trailing CR/LF are
    /// trimmed and inner CR/LF become spaces.
    /// </summary>
    public void WriteError(ReadOnlySpan<byte> text) => WriteLine((byte)'-', text.TrimEnd("\r\n"u8));

    /// <inheritdoc cref="WriteError(ReadOnlySpan{byte})"/>
    public void WriteError(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteLine((byte)'-', text.AsSpan().TrimEnd("\r\n"));
    }

    /// <summary><c>:n\r\n</c>.</summary>
    public void WriteInteger(long value) => WriteHeader((byte)':', value);

    /// <summary><c>$len\r\nbytes\r\n</c>.</summary>
    public void WriteBulkString(ReadOnlySpan<byte> value)
    {
        var span = _output.GetSpan(MaxHeader + value.Length + 2);
        int n = Header(span, (byte)'$', value.Length);
        value.CopyTo(span[n..]);
        n += value.Length;
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        _output.Advance(n);
    }

    /// <summary>Bulk string of a byte-string (Latin-1).</summary>
    public void WriteBulkString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var span = _output.GetSpan(MaxHeader + value.Length + 2);
        int n = Header(span, (byte)'$', value.Length);
        n += Latin1(value, span[n..]);
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        _output.Advance(n);
    }

    /// <summary>Null bulk string: <c>$-1\r\n</c> (RESP2) or <c>_\r\n</c> (RESP3), as addReplyNull.</summary>
    public void WriteNull() => WriteRaw(Resp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>Null array: <c>*-1\r\n</c> (RESP2) or <c>_\r\n</c> (RESP3), as addReplyNullArray.</summary>
    public void WriteNullArray() => WriteRaw(Resp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    /// <summary><c>*n\r\n</c>.</summary>
    public void WriteArrayHeader(int count) => WriteHeader((byte)'*', count);

    /// <summary><c>%n\r\n</c> (RESP3) or <c>*2n\r\n</c> (RESP2): <paramref name="pairs"/> key/value pairs follow.</summary>
    public void WriteMapHeader(int pairs)
    {
        if (Resp3)
        {
            WriteHeader((byte)'%', pairs);
        }
        else
        {
            WriteHeader((byte)'*', 2L * pairs);
        }
    }

    /// <summary><c>~n\r\n</c> (RESP3) or <c>*n\r\n</c> (RESP2).</summary>
    public void WriteSetHeader(int count) => WriteHeader(Resp3 ? (byte)'~' : (byte)'*', count);

    /// <summary><c>&gt;n\r\n</c> (RESP3) or <c>*n\r\n</c> (RESP2), for pub/sub messages and invalidations.</summary>
    public void WritePushHeader(int count) => WriteHeader(Resp3 ? (byte)'>' : (byte)'*', count);

    /// <summary><c>#t</c>/<c>#f</c> (RESP3) or <c>:1</c>/<c>:0</c> (RESP2), as addReplyBool.</summary>
    public void WriteBoolean(bool value) =>
        WriteRaw(Resp3 ? (value ? "#t\r\n"u8 : "#f\r\n"u8) : (value ? ":1\r\n"u8 : ":0\r\n"u8));

    /// <summary>
    /// <c>,repr\r\n</c> (RESP3) or a bulk string of repr (RESP2), where repr is Redis's d2string: "nan", "inf",
    /// "-inf", "0"/"-0", an integer when exactly integral within ±2^62, else fpconv_dtoa's shortest form
    /// (e.g. <c>1.5</c>, <c>0.0001</c>, <c>1e-7</c>, <c>1.2345678e+20</c>).
    /// </summary>
    public void WriteDouble(double value)
    {
        Span<byte> repr = stackalloc byte[40];
        int len = FormatDouble(value, repr);
        if (Resp3)
        {
            var span = _output.GetSpan(len + 3);
            span[0] = (byte)',';
            repr[..len].CopyTo(span[1..]);
            span[len + 1] = (byte)'\r';
            span[len + 2] = (byte)'\n';
            _output.Advance(len + 3);
        }
        else
        {
            WriteBulkString(repr[..len]);
        }
    }

    /// <summary>
    /// Verbatim string: <c>=len\r\nfmt:text\r\n</c> (RESP3) or a plain bulk string of the text (RESP2), as
    /// addReplyVerbatim. <paramref name="format"/> is exactly three bytes (<c>txt</c>, <c>mkd</c>).
    /// </summary>
    public void WriteVerbatim(ReadOnlySpan<byte> text, ReadOnlySpan<byte> format)
    {
        if (!Resp3)
        {
            WriteBulkString(text);
            return;
        }

        if (format.Length != 3)
        {
            throw new ArgumentException("The verbatim format is three bytes.", nameof(format));
        }

        var span = _output.GetSpan(MaxHeader + text.Length + 6);
        int n = Header(span, (byte)'=', text.Length + 4);
        format.CopyTo(span[n..]);
        span[n + 3] = (byte)':';
        n += 4;
        text.CopyTo(span[n..]);
        n += text.Length;
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        _output.Advance(n);
    }

    /// <summary>Verbatim <c>txt</c> string of a byte-string.</summary>
    public void WriteVerbatim(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= 256)
        {
            Span<byte> small = stackalloc byte[text.Length];
            Latin1(text, small);
            WriteVerbatim(small, "txt"u8);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(text.Length);
        try
        {
            int len = Latin1(text, rented);
            WriteVerbatim(rented.AsSpan(0, len), "txt"u8);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Copies already-encoded RESP bytes.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        _output.Advance(bytes.Length);
    }

    /// <summary>Redis's d2string into <paramref name="destination"/> (at least 32 bytes); returns the length.</summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return Copy("nan"u8, destination);
        }

        if (double.IsInfinity(value))
        {
            return Copy(value < 0 ? "-inf"u8 : "inf"u8, destination);
        }

        if (value == 0)
        {
            return Copy(double.IsNegative(value) ? "-0"u8 : "0"u8, destination);
        }

        // double2ll: integral values within ±LLONG_MAX/2 print as integers.
        if (value >= -(double)(long.MaxValue / 2) && value <= (double)(long.MaxValue / 2))
        {
            long l = (long)value;
            if (l == value)
            {
                Utf8Formatter.TryFormat(l, destination, out int written);
                return written;
            }
        }

        // fpconv_dtoa: shortest round-trip digits (grisu2), then its own layout.
        Span<byte> shortest = stackalloc byte[40];
        value.TryFormat(shortest, out int sl, "R", CultureInfo.InvariantCulture);
        Span<byte> digits = stackalloc byte[24];
        int nd = 0;
        int pointPos = -1; // number of digits before the decimal point in the printed mantissa
        int exp10 = 0;
        int i = shortest[0] == (byte)'-' ? 1 : 0;
        bool neg = i == 1;
        for (; i < sl; i++)
        {
            byte c = shortest[i];
            if (c == (byte)'.')
            {
                pointPos = nd;
            }
            else if (c is (byte)'E' or (byte)'e')
            {
                if (!Utf8Parser.TryParse(shortest[(i + 1)..sl], out exp10, out _))
                {
                    exp10 = 0;
                }

                break;
            }
            else
            {
                digits[nd++] = c;
            }
        }

        if (pointPos < 0)
        {
            pointPos = nd;
        }

        // value = 0.d1d2...dn * 10^(pointPos + exp10); normalise to digits * 10^K without leading/trailing zeros.
        int lead = 0;
        while (lead < nd - 1 && digits[lead] == (byte)'0')
        {
            lead++;
        }

        int k = pointPos + exp10 - nd;
        int end = nd;
        while (end > lead + 1 && digits[end - 1] == (byte)'0')
        {
            end--;
            k++;
        }

        var d = digits[lead..end];
        int n = 0;
        if (neg)
        {
            destination[n++] = (byte)'-';
        }

        n += EmitDigits(d, destination[n..], k, neg);
        return n;
    }

    // Port of fpconv_dtoa.c emit_digits.
    private static int EmitDigits(ReadOnlySpan<byte> digits, Span<byte> dest, int k, bool neg)
    {
        int ndigits = digits.Length;
        int exp = Math.Abs(k + ndigits - 1);
        if (k >= 0 && exp < ndigits + 7)
        {
            digits.CopyTo(dest);
            dest.Slice(ndigits, k).Fill((byte)'0');
            return ndigits + k;
        }

        if (k < 0 && (k > -7 || exp < 4))
        {
            int offset = ndigits - Math.Abs(k);
            if (offset <= 0)
            {
                offset = -offset;
                dest[0] = (byte)'0';
                dest[1] = (byte)'.';
                dest.Slice(2, offset).Fill((byte)'0');
                digits.CopyTo(dest[(offset + 2)..]);
                return ndigits + 2 + offset;
            }

            digits[..offset].CopyTo(dest);
            dest[offset] = (byte)'.';
            digits[offset..].CopyTo(dest[(offset + 1)..]);
            return ndigits + 1;
        }

        ndigits = Math.Min(ndigits, 18 - (neg ? 1 : 0));
        int idx = 0;
        dest[idx++] = digits[0];
        if (ndigits > 1)
        {
            dest[idx++] = (byte)'.';
            digits[1..ndigits].CopyTo(dest[idx..]);
            idx += ndigits - 1;
        }

        dest[idx++] = (byte)'e';
        dest[idx++] = k + ndigits - 1 < 0 ? (byte)'-' : (byte)'+';
        int cent = 0;
        if (exp > 99)
        {
            cent = exp / 100;
            dest[idx++] = (byte)(cent + '0');
            exp -= cent * 100;
        }

        if (exp > 9)
        {
            int dec = exp / 10;
            dest[idx++] = (byte)(dec + '0');
            exp -= dec * 10;
        }
        else if (cent != 0)
        {
            dest[idx++] = (byte)'0';
        }

        dest[idx++] = (byte)((exp % 10) + '0');
        return idx;
    }

    private static int Copy(ReadOnlySpan<byte> s, Span<byte> destination)
    {
        s.CopyTo(destination);
        return s.Length;
    }

    private void WriteHeader(byte type, long value)
    {
        var span = _output.GetSpan(MaxHeader);
        _output.Advance(Header(span, type, value));
    }

    private static int Header(Span<byte> span, byte type, long value)
    {
        span[0] = type;
        Utf8Formatter.TryFormat(value, span[1..], out int written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        return written + 3;
    }

    private void WriteLine(byte type, ReadOnlySpan<byte> text)
    {
        var span = _output.GetSpan(text.Length + 3);
        span[0] = type;
        var body = span.Slice(1, text.Length);
        text.CopyTo(body);
        body.Replace((byte)'\r', (byte)' ');
        body.Replace((byte)'\n', (byte)' ');
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        _output.Advance(text.Length + 3);
    }

    private void WriteLine(byte type, ReadOnlySpan<char> text)
    {
        var span = _output.GetSpan(text.Length + 3);
        span[0] = type;
        var body = span.Slice(1, text.Length);
        Latin1(text, body);
        body.Replace((byte)'\r', (byte)' ');
        body.Replace((byte)'\n', (byte)' ');
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        _output.Advance(text.Length + 3);
    }

    private static int Latin1(ReadOnlySpan<char> text, Span<byte> destination) =>
        Encoding.Latin1.GetBytes(text, destination);
}
