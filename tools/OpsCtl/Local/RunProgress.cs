using System.Text;

namespace OpsCtl.Local;

/// <summary>
/// Progress of a long `opsctl local` run on stderr. On a terminal one line is redrawn in place (at most five times a
/// second, from the first second on), and cleared before any other stderr line so the two never mix; asked for with
/// `--progress` elsewhere, it writes a plain line at each tenth of the inputs, so a log or a test reads the same every run.
/// </summary>
public sealed class RunProgress : TextWriter
{
    private static readonly TimeSpan FirstAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(200);

    private readonly TextWriter inner;
    private readonly bool redraw;
    private readonly TimeProvider time;
    private readonly DateTimeOffset started;
    private readonly Lock gate = new();
    private DateTimeOffset lastDrawn;
    private bool shown;
    private int lastTenth;

    /// <param name="inner">stderr.</param>
    /// <param name="redraw">stderr is a terminal: redraw one line in place; otherwise a plain line per tenth.</param>
    /// <param name="time">For the redraw's pacing.</param>
    public RunProgress(TextWriter inner, bool redraw, TimeProvider? time = null)
    {
        this.inner = inner;
        this.redraw = redraw;
        this.time = time ?? TimeProvider.System;
        started = this.time.GetUtcNow();
    }

    public override Encoding Encoding => inner.Encoding;

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> inputs (pass as <see cref="LocalRunOptions.OnProgress"/>).</summary>
    public void Report(int done, int total)
    {
        lock (gate)
        {
            if (!redraw)
            {
                var tenth = total == 0 ? 10 : done * 10 / total;
                if (tenth > lastTenth)
                {
                    lastTenth = tenth;
                    inner.WriteLine($"progress: {done}/{total} inputs");
                }

                return;
            }

            var now = time.GetUtcNow();
            if (now - started < FirstAfter || (shown && now - lastDrawn < Every && done < total))
            {
                return;
            }

            inner.Write($"\r\u001b[Kopsctl local: {done}/{total} inputs ({done * 100 / Math.Max(total, 1)}%)");
            inner.Flush();
            (shown, lastDrawn) = (true, now);
        }
    }

    /// <summary>Clears the progress line (the run ended).</summary>
    public void Clear()
    {
        lock (gate)
        {
            Hide();
        }
    }

    public override void Write(char value)
    {
        lock (gate)
        {
            Hide();
            inner.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (gate)
        {
            Hide();
            inner.Write(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (gate)
        {
            Hide();
            inner.WriteLine(value);
        }
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    private void Hide()
    {
        if (shown)
        {
            inner.Write("\r\u001b[K");
            shown = false;
        }
    }
}
