using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.Commands;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Backend.Upstream;

/// <summary>
/// One TCP (optionally TLS) connection to the upstream, opened and authenticated synchronously. Used as is by the
/// control connection (health probe, CLIENT UNBLOCK) and handed to <see cref="UpstreamBackendSession"/>, which then
/// reads it asynchronously.
/// </summary>
internal sealed class UpstreamLink : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[512];
    private int _count;

    private UpstreamLink(Socket socket, Stream stream)
    {
        _socket = socket;
        Stream = stream;
    }

    public Stream Stream { get; }

    /// <summary>The upstream's CLIENT ID of this connection (for CLIENT UNBLOCK), or -1.</summary>
    public long ClientId { get; private set; } = -1;

    /// <summary>
    /// Connects, negotiates TLS, authenticates and asks for the connection's CLIENT ID in one round trip. Throws
    /// <see cref="UpstreamException"/> with a reason fit for a log line (never the password).
    /// </summary>
    public static UpstreamLink Open(UpstreamOptions options, X509Certificate2Collection? trustedCas)
    {
        Socket? socket = null;
        Stream? stream = null;
        try
        {
            socket = Connect(options);

            socket.ReceiveTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
            socket.SendTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = options.TlsServerName ?? options.Host,
                    RemoteCertificateValidationCallback = (_, cert, chain, errors) => ValidateCertificate(cert, chain, errors, trustedCas),
                });
            }

            var link = new UpstreamLink(socket, stream);
            link.Handshake(options);
            socket.ReceiveTimeout = 0;
            socket.SendTimeout = 0;
            return link;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            stream?.Dispose();
            socket?.Dispose();
            throw new UpstreamException(e is OperationCanceledException ? "connect timed out" : Describe(e), e)
            {
                // A certificate the upstream will keep presenting: retrying cannot help.
                IsPermanent = e is System.Security.Authentication.AuthenticationException,
            };
        }
        catch
        {
            stream?.Dispose();
            socket?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects without the thread pool: sessions are opened on a connection's thread, and fifty clients arriving at
    /// once must not each park a pool thread on a task that needs another pool thread to complete.
    /// </summary>
    private static Socket Connect(UpstreamOptions options)
    {
        var addresses = IPAddress.TryParse(options.Host, out var ip) ? [ip] : Dns.GetHostAddresses(options.Host);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            try
            {
                try
                {
                    socket.Connect(new IPEndPoint(address, options.Port));
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    int micros = (int)Math.Min(options.ConnectTimeout.TotalMicroseconds, int.MaxValue);
                    if (!socket.Poll(micros, SelectMode.SelectWrite))
                    {
                        throw new SocketException((int)SocketError.TimedOut);
                    }

                    int error = (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                    if (error != 0)
                    {
                        throw new SocketException(error);
                    }
                }

                socket.Blocking = true;
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static string Describe(Exception e) => e switch
    {
        SocketException s => s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "Connection refused",
            SocketError.TimedOut => "connect timed out",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            _ => s.Message,
        },
        IOException { InnerException: SocketException s } => Describe(s),
        _ => e.Message,
    };

    private static bool ValidateCertificate(X509Certificate? cert, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? trustedCas)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (trustedCas is null || cert is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trustedCas);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
    }

    private void Handshake(UpstreamOptions options)
    {
        var frames = new ArrayBufferWriter<byte>(128);
        int replies = 0;
        if (options.Password is { } password)
        {
            RespEncoding.WriteCommand(frames, options.User is { } user ? ArgvBuilder.From("AUTH", user, password).Args : ArgvBuilder.From("AUTH", password).Args);
            replies++;
        }

        RespEncoding.WriteCommand(frames, ArgvBuilder.From("CLIENT", "ID").Args);
        replies++;
        var result = Call(frames.WrittenSpan, replies);
        if (options.Password is not null && RespReplyScanner.IsError(result[0]))
        {
            throw new UpstreamException("authentication failed: " + ErrorText(result[0])) { IsPermanent = true };
        }

        var id = result[^1];
        if (RespReplyScanner.IsError(id))
        {
            throw new UpstreamException(ErrorText(id));
        }

        ClientId = RespReplyScanner.TryReadInteger(id, out long v) ? v : -1;
    }

    internal static string ErrorText(ReadOnlySpan<byte> frame) =>
        RespReplyScanner.TryReadSimpleLine(frame, out var text) ? System.Text.Encoding.UTF8.GetString(text) : "unexpected reply";

    /// <summary>Sends frames and reads <paramref name="replies"/> whole reply frames (synchronous, control use only).</summary>
    public byte[][] Call(ReadOnlySpan<byte> frames, int replies)
    {
        Stream.Write(frames);
        Stream.Flush();
        var result = new byte[replies][];
        for (int i = 0; i < replies; i++)
        {
            int length;
            while (!RespReplyScanner.TryReadFrame(_buffer.AsSpan(0, _count), out length, out _))
            {
                if (_count == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                int n = Stream.Read(_buffer, _count, _buffer.Length - _count);
                if (n == 0)
                {
                    throw new UpstreamException("connection closed by the upstream");
                }

                _count += n;
            }

            result[i] = _buffer.AsSpan(0, length).ToArray();
            _buffer.AsSpan(length, _count - length).CopyTo(_buffer);
            _count -= length;
        }

        return result;
    }

    /// <summary>Sends one command and returns its reply frame.</summary>
    public byte[] Call(params string[] argv)
    {
        var frame = new ArrayBufferWriter<byte>(64);
        RespEncoding.WriteCommand(frame, ArgvBuilder.From(argv).Args);
        return Call(frame.WrittenSpan, 1)[0];
    }

    /// <summary>Bytes read past the handshake replies (none in practice: nothing else was asked).</summary>
    public ReadOnlySpan<byte> Leftover => _buffer.AsSpan(0, _count);

    public void SetTimeouts(TimeSpan timeout)
    {
        _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        _socket.SendTimeout = (int)timeout.TotalMilliseconds;
    }

    public void Dispose()
    {
        Stream.Dispose();
        _socket.Dispose();
    }
}

/// <summary>The upstream could not be reached or refused us; the message is safe to log.</summary>
public sealed class UpstreamException : Exception
{
    public UpstreamException(string message) : base(message)
    {
    }

    public UpstreamException(string message, Exception inner) : base(message, inner)
    {
    }

    public UpstreamException()
    {
    }

    /// <summary>Retrying cannot succeed without a configuration change (wrong password, untrusted certificate).</summary>
    public bool IsPermanent { get; init; }
}
