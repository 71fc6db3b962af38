using System.Buffers;

namespace AclOperator.Server.Connections;

/// <summary>
/// A connection's pending output: pooled chunks appended by the connection thread (replies) and by backend threads
/// (pub/sub pushes), drained by the connection's writer loop. Grows on demand and returns its memory when drained,
/// so an idle connection holds no output memory (E14). All members are thread-safe.
/// </summary>
internal sealed class OutputBuffer : IDisposable
{
    private const int ChunkSize = 4096;
    private readonly Lock _lock = new();
    private readonly List<(byte[] Array, int Length)> _chunks = [];
    private readonly SemaphoreSlim _signal = new(0, 1);
    private long _pending;
    private volatile bool _disposed;

    /// <summary>Bytes appended and not yet taken by the writer.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            while (!data.IsEmpty)
            {
                if (_chunks.Count == 0 || _chunks[^1].Length == _chunks[^1].Array.Length)
                {
                    _chunks.Add((ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize, Math.Min(data.Length, 1 << 20))), 0));
                }

                var (array, length) = _chunks[^1];
                int n = Math.Min(array.Length - length, data.Length);
                data[..n].CopyTo(array.AsSpan(length));
                _chunks[^1] = (array, length + n);
                data = data[n..];
                _pending += n;
            }
        }
    }

    /// <summary>Wakes the writer loop.</summary>
    public void Signal()
    {
        try
        {
            if (!_disposed && _signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Already signalled, or the connection is gone.
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);

    /// <summary>Moves every pending chunk into <paramref name="into"/>; the caller returns them with <see cref="Return"/>.</summary>
    public void TakeAll(List<(byte[] Array, int Length)> into)
    {
        lock (_lock)
        {
            into.AddRange(_chunks);
            _chunks.Clear();
        }
    }

    public void Return(List<(byte[] Array, int Length)> taken)
    {
        foreach (var (array, length) in taken)
        {
            ArrayPool<byte>.Shared.Return(array);
            Interlocked.Add(ref _pending, -length);
        }

        taken.Clear();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var (array, _) in _chunks)
            {
                ArrayPool<byte>.Shared.Return(array);
            }

            _chunks.Clear();
            _pending = 0;
        }

        _signal.Dispose();
    }
}
