// Draws the fan-out benchmark's charts as PNG with the JDK alone (java.awt, headless), for bench/fanout-charts.py:
// matplotlib is not installed on the benchmark box and PyPI is out of reach, while a JDK always is.
//
//   java bench/fanout/LineChart.java SPEC OUT.png
//
// SPEC is a text file, one directive per line, fields separated by tabs:
//   title   TEXT                              the figure's title
//   panel   TITLE  XLABEL  YLABEL  XLOG  YLOG  a new panel (side by side); XLOG/YLOG are 1 for a log axis
//   hline   Y  LABEL                          a dashed horizontal line in the current panel (e.g. the p99 limit)
//   series  NAME                              a new line in the current panel
//   point   X  Y  PASSED                      a point of the current series; PASSED 0 draws it hollow
// Lines of a series with the same NAME get the same colour in every panel.

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public final class LineChart {
    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
        new Color(0xFF7F0E), new Color(0x9467BD), new Color(0x8C564B)};
    private static final int PANEL_W = 620;
    private static final int PANEL_H = 440;
    private static final int LEFT = 84;
    private static final int RIGHT = 24;
    private static final int TOP = 40;
    private static final int BOTTOM = 56;

    record Point(double x, double y, boolean passed) {
    }

    static final class Series {
        final String name;
        final List<Point> points = new ArrayList<>();

        Series(String name) {
            this.name = name;
        }
    }

    static final class Panel {
        String title;
        String xLabel;
        String yLabel;
        boolean xLog;
        boolean yLog;
        final List<Series> series = new ArrayList<>();
        final List<double[]> hlines = new ArrayList<>();
        final List<String> hlineLabels = new ArrayList<>();
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java LineChart.java SPEC OUT.png");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        String title = "";
        List<Panel> panels = new ArrayList<>();
        Map<String, Color> colours = new LinkedHashMap<>();
        Panel panel = null;
        Series series = null;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "title" -> title = f[1];
                case "panel" -> {
                    panel = new Panel();
                    panel.title = f[1];
                    panel.xLabel = f[2];
                    panel.yLabel = f[3];
                    panel.xLog = f[4].equals("1");
                    panel.yLog = f[5].equals("1");
                    panels.add(panel);
                }
                case "hline" -> {
                    panel.hlines.add(new double[] {Double.parseDouble(f[1])});
                    panel.hlineLabels.add(f.length > 2 ? f[2] : "");
                }
                case "series" -> {
                    series = new Series(f[1]);
                    panel.series.add(series);
                    colours.computeIfAbsent(f[1], k -> PALETTE[colours.size() % PALETTE.length]);
                }
                case "point" -> series.points.add(new Point(Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    !f[3].equals("0")));
                default -> throw new IllegalArgumentException("unknown directive: " + f[0]);
            }
        }
        int width = Math.max(1, panels.size()) * PANEL_W;
        int legendH = 34;
        int height = 44 + legendH + PANEL_H;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        centre(g, title, width / 2, 28);
        legend(g, colours, width, 44 + 20);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), colours, i * PANEL_W, 44 + legendH);
        }
        g.dispose();
        ImageIO.write(img, "png", new File(args[1]));
    }

    private static void legend(Graphics2D g, Map<String, Color> colours, int width, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        FontMetrics fm = g.getFontMetrics();
        int total = 0;
        for (String name : colours.keySet()) {
            total += 34 + fm.stringWidth(name) + 22;
        }
        total += 34 + fm.stringWidth("hollow: step failed");
        int x = (width - total) / 2;
        for (Map.Entry<String, Color> e : colours.entrySet()) {
            g.setColor(e.getValue());
            g.setStroke(new BasicStroke(2.5f));
            g.draw(new Line2D.Double(x, y - 5, x + 26, y - 5));
            g.fillOval(x + 9, y - 9, 8, 8);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), x + 34, y);
            x += 34 + fm.stringWidth(e.getKey()) + 22;
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1.5f));
        g.drawOval(x + 9, y - 9, 8, 8);
        g.drawString("hollow: step failed", x + 34, y);
    }

    private static void draw(Graphics2D g, Panel p, Map<String, Color> colours, int ox, int oy) {
        int x0 = ox + LEFT;
        int x1 = ox + PANEL_W - RIGHT;
        int y0 = oy + PANEL_H - BOTTOM;
        int y1 = oy + TOP;
        double[] xr = range(p, true);
        double[] yr = range(p, false);
        Axis xa = new Axis(xr[0], xr[1], p.xLog, x0, x1);
        Axis ya = new Axis(yr[0], yr[1], p.yLog, y0, y1);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        centre(g, p.title, (x0 + x1) / 2, oy + 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double t : xa.ticks()) {
            int x = (int) Math.round(xa.map(t));
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(x, y0, x, y1);
            g.setColor(Color.BLACK);
            g.drawLine(x, y0, x, y0 + 5);
            centre(g, label(t), x, y0 + 19);
        }
        for (double t : ya.ticks()) {
            int y = (int) Math.round(ya.map(t));
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(x0, y, x1, y);
            g.setColor(Color.BLACK);
            g.drawLine(x0 - 5, y, x0, y);
            String s = label(t);
            g.drawString(s, x0 - 8 - fm.stringWidth(s), y + 4);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawRect(x0, y1, x1 - x0, y0 - y1);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        centre(g, p.xLabel, (x0 + x1) / 2, y0 + 40);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        centre(r, p.yLabel, -(y0 + y1) / 2, ox + 18);
        r.dispose();
        for (int i = 0; i < p.hlines.size(); i++) {
            double v = p.hlines.get(i)[0];
            if (v < yr[0] || v > yr[1]) {
                continue;
            }
            int y = (int) Math.round(ya.map(v));
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1.3f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 5}, 0));
            g.drawLine(x0, y, x1, y);
            g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
            g.drawString(p.hlineLabels.get(i), x0 + 6, y - 5);
        }
        java.awt.Shape clip = g.getClip();
        g.clipRect(x0, y1 - 6, x1 - x0 + 6, y0 - y1 + 12);
        for (Series s : p.series) {
            Color c = colours.get(s.name);
            g.setColor(c);
            g.setStroke(new BasicStroke(2.2f));
            Point prev = null;
            for (Point pt : s.points) {
                if (prev != null) {
                    g.draw(new Line2D.Double(xa.map(prev.x()), ya.map(prev.y()), xa.map(pt.x()), ya.map(pt.y())));
                }
                prev = pt;
            }
            for (Point pt : s.points) {
                int x = (int) Math.round(xa.map(pt.x()));
                int y = (int) Math.round(ya.map(pt.y()));
                if (pt.passed()) {
                    g.fillOval(x - 4, y - 4, 9, 9);
                } else {
                    g.setColor(Color.WHITE);
                    g.fillOval(x - 4, y - 4, 9, 9);
                    g.setColor(c);
                    g.setStroke(new BasicStroke(1.8f));
                    g.drawOval(x - 4, y - 4, 9, 9);
                    g.setStroke(new BasicStroke(2.2f));
                }
            }
        }
        g.setClip(clip);
    }

    /** The data range of a panel's axis, with the horizontal lines for y, padded a little. */
    private static double[] range(Panel p, boolean x) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        boolean log = x ? p.xLog : p.yLog;
        for (Series s : p.series) {
            for (Point pt : s.points) {
                double v = x ? pt.x() : pt.y();
                if (log && v <= 0) {
                    continue;
                }
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!x) {
            for (double[] h : p.hlines) {
                hi = Math.max(hi, h[0] * 1.5);
            }
        }
        if (lo == Double.MAX_VALUE) {
            lo = 1;
            hi = 10;
        }
        if (log) {
            return new double[] {lo / 1.4, hi * 1.4};
        }
        double pad = (hi - lo) * 0.05;
        return new double[] {Math.min(0, lo), hi + (pad > 0 ? pad : 1)};
    }

    /** One axis: a value range mapped onto a pixel range, linear or logarithmic. */
    record Axis(double lo, double hi, boolean log, double p0, double p1) {
        double map(double v) {
            if (log) {
                v = Math.max(v, lo);
                return p0 + (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) * (p1 - p0);
            }
            return p0 + (v - lo) / (hi - lo) * (p1 - p0);
        }

        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            if (log) {
                double[] steps = Math.log10(hi / lo) > 4 ? new double[] {1} : new double[] {1, 2, 5};
                for (double d = Math.pow(10, Math.floor(Math.log10(lo))); d <= hi; d *= 10) {
                    for (double m : steps) {
                        double v = d * m;
                        if (v >= lo && v <= hi) {
                            t.add(v);
                        }
                    }
                }
                return t;
            }
            double raw = (hi - lo) / 6;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
            for (double v = Math.ceil(lo / step) * step; v <= hi; v += step) {
                t.add(v);
            }
            return t;
        }
    }

    /** 1,500,000 -> 1.5M; 2000 -> 2k; 0.5 -> 0.5. */
    static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static void centre(Graphics2D g, String s, int x, int y) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y);
    }
}
