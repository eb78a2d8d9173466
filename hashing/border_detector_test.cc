#include "hashing/border_detector.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace clearmatch {
namespace {

// An owned interleaved test image.
struct TestImage {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRgb;
  std::vector<uint8_t> pixels;

  int bpp() const { return BytesPerPixel(format); }
  PixelView view() const {
    return PixelView{pixels.data(), width, height,
                     static_cast<size_t>(width) * bpp(), format};
  }
  uint8_t* at(int x, int y) {
    return &pixels[(static_cast<size_t>(y) * width + x) * bpp()];
  }
  void Set(int x, int y, const uint8_t (&rgb)[3]) {
    if (format == PixelFormat::kGrey) {
      *at(x, y) = rgb[0];
    } else {
      std::copy_n(rgb, 3, at(x, y));
    }
  }
};

// A textured scene: random overlapping rectangles plus per-pixel noise, like
// a photo's content (no line of it is uniform).
TestImage Scene(int width, int height, uint32_t seed = 1,
                PixelFormat format = PixelFormat::kRgb) {
  TestImage image{
      width, height, format,
      std::vector<uint8_t>(size_t(width) * height * BytesPerPixel(format), 0)};
  std::mt19937 rng(seed);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const uint8_t v = uint8_t(rng() % 256);
      image.Set(x, y, {v, uint8_t(255 - v), uint8_t(v / 2)});
    }
  }
  for (int n = 0; n < 30; ++n) {
    const int x0 = int(rng() % width), y0 = int(rng() % height);
    const int x1 = std::min(width, x0 + 1 + int(rng() % (width / 3 + 1)));
    const int y1 = std::min(height, y0 + 1 + int(rng() % (height / 3 + 1)));
    const uint8_t base = uint8_t(rng());
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const uint8_t v = uint8_t(base + rng() % 64);
        image.Set(x, y, {v, v, uint8_t(255 - v)});
      }
    }
  }
  return image;
}

struct Sides {
  int top = 0, bottom = 0, left = 0, right = 0;
};

// `content` inside a border of `colour` with the given widths.
TestImage Bordered(const TestImage& content, Sides sides,
                   const uint8_t (&colour)[3]) {
  TestImage out{content.width + sides.left + sides.right,
                content.height + sides.top + sides.bottom,
                content.format,
                {}};
  out.pixels.resize(size_t(out.width) * out.height * out.bpp());
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) out.Set(x, y, colour);
  }
  for (int y = 0; y < content.height; ++y) {
    std::copy_n(&content.pixels[size_t(y) * content.width * content.bpp()],
                size_t(content.width) * content.bpp(),
                out.at(sides.left, sides.top + y));
  }
  return out;
}

ContentRect Inner(const TestImage& content, Sides sides) {
  return ContentRect{sides.left, sides.top, content.width, content.height};
}

TEST(BorderDetectorTest, NoBorderIsNotTrimmed) {
  const TestImage scene = Scene(300, 200);
  EXPECT_EQ(FindContentRect(scene.view(), {}), std::nullopt);
}

TEST(BorderDetectorTest, UniformBordersOfAnyColourAreTrimmedExactly) {
  const TestImage scene = Scene(320, 240, 7);
  const uint8_t colours[][3] = {{0, 0, 0},
                                {255, 255, 255},
                                {128, 128, 128},
                                {200, 20, 30},
                                {20, 60, 220}};
  for (const auto& colour : colours) {
    for (int width : {2, 10, 48}) {
      const Sides sides{width, width, width, width};
      const TestImage image = Bordered(scene, sides, colour);
      EXPECT_EQ(FindContentRect(image.view(), {}), Inner(scene, sides))
          << "colour " << int(colour[0]) << "," << int(colour[1]) << ","
          << int(colour[2]) << " width " << width;
    }
  }
}

TEST(BorderDetectorTest, AsymmetricBordersLetterboxAndPillarbox) {
  const TestImage scene = Scene(400, 225, 3);
  for (const Sides& sides :
       {Sides{30, 5, 0, 17}, Sides{60, 60, 0, 0}, Sides{0, 0, 80, 80},
        Sides{0, 40, 0, 0}, Sides{0, 0, 0, 9}}) {
    const TestImage image = Bordered(scene, sides, {0, 0, 0});
    EXPECT_EQ(FindContentRect(image.view(), {}), Inner(scene, sides))
        << sides.top << " " << sides.bottom << " " << sides.left << " "
        << sides.right;
  }
}

TEST(BorderDetectorTest, LinesOverAThousandPixelsAreTrimmedExactly) {
  // Rows of 2600 and columns of 1500 pixels are measured at evenly spaced
  // pixels: the rectangle is still exact to the pixel, thin lines included.
  const TestImage scene = Scene(2500, 1400, 17);
  const Sides sides{37, 3, 97, 2};
  TestImage image = Bordered(scene, sides, {250, 250, 250});
  for (int x = 0; x < image.width; ++x) image.Set(x, 20, {0, 0, 0});
  EXPECT_EQ(FindContentRect(image.view(), {}), Inner(scene, sides));
  const TestImage uniform =
      Bordered(Scene(1, 1), {1500, 1499, 1300, 1299}, {40, 40, 40});
  EXPECT_EQ(FindContentRect(uniform.view(), {}), std::nullopt);
}

TEST(BorderDetectorTest, ThinLinesAndBandsInsideABarAreBorder) {
  const TestImage scene = Scene(300, 300, 5);
  // A white frame with a black line, then a grey band.
  TestImage image = Bordered(scene, {6, 6, 6, 6}, {90, 90, 90});
  image = Bordered(image, {1, 1, 1, 1}, {0, 0, 0});
  image = Bordered(image, {20, 20, 20, 20}, {255, 255, 255});
  EXPECT_EQ(FindContentRect(image.view(), {}),
            (ContentRect{27, 27, scene.width, scene.height}));
}

TEST(BorderDetectorTest, BarsOfDifferentColoursOnAdjacentSides) {
  const TestImage scene = Scene(300, 200, 11);
  TestImage image = Bordered(scene, {0, 0, 25, 0}, {0, 0, 0});
  image = Bordered(image, {15, 0, 0, 0}, {255, 255, 255});
  image = Bordered(image, {0, 0, 0, 12}, {40, 160, 40});
  EXPECT_EQ(FindContentRect(image.view(), {}),
            (ContentRect{25, 15, scene.width, scene.height}));
}

TEST(BorderDetectorTest, NoisyBorderIsTrimmed) {
  const TestImage scene = Scene(320, 240, 13);
  TestImage image = Bordered(scene, {24, 24, 24, 24}, {30, 30, 30});
  std::mt19937 rng(2);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const bool in_border =
          y < 24 || y >= 24 + scene.height || x < 24 || x >= 24 + scene.width;
      if (!in_border) continue;
      // Codec-like noise, and one pixel in a hundred far off.
      const uint8_t v =
          rng() % 100 == 0 ? uint8_t(220) : uint8_t(26 + rng() % 9);
      image.Set(x, y, {v, v, v});
    }
  }
  EXPECT_EQ(FindContentRect(image.view(), {}), Inner(scene, {24, 24, 24, 24}));
}

TEST(BorderDetectorTest, GreyAndBgrImages) {
  for (PixelFormat format : {PixelFormat::kGrey, PixelFormat::kBgr}) {
    const TestImage scene = Scene(200, 150, 17, format);
    const Sides sides{12, 3, 40, 0};
    const TestImage image = Bordered(scene, sides, {250, 250, 250});
    EXPECT_EQ(FindContentRect(image.view(), {}), Inner(scene, sides));
  }
}

TEST(BorderDetectorTest, UniformImageHasNoContent) {
  TestImage image = Bordered(Scene(1, 1), {100, 99, 150, 149}, {77, 77, 77});
  EXPECT_EQ(FindContentRect(image.view(), {}), std::nullopt);
}

TEST(BorderDetectorTest, TooLittleContentIsNotTrimmed) {
  // 40x40 of content in a 400x400 picture: under a quarter of each side.
  const TestImage image =
      Bordered(Scene(40, 40), {180, 180, 180, 180}, {0, 0, 0});
  EXPECT_EQ(FindContentRect(image.view(), {}), std::nullopt);
  // 20 pixels wide: under the 32-pixel floor.
  const TestImage narrow = Bordered(Scene(20, 60), {0, 0, 10, 10}, {0, 0, 0});
  EXPECT_EQ(FindContentRect(narrow.view(), {}), std::nullopt);
}

TEST(BorderDetectorTest, GradientSkyIsNotABorder) {
  // The top 150 rows: a smooth vertical gradient, as a clear sky; each row is
  // uniform, but no band is flat.
  TestImage image = Scene(320, 300, 19);
  for (int y = 0; y < 150; ++y) {
    const uint8_t b = uint8_t(250 - y / 2), g = uint8_t(200 - y / 3);
    for (int x = 0; x < image.width; ++x) {
      image.Set(x, y, {uint8_t(90 + y / 4), g, b});
    }
  }
  const std::optional<ContentRect> rect = FindContentRect(image.view(), {});
  EXPECT_TRUE(!rect.has_value() || rect->y == 0) << rect->y;
}

TEST(BorderDetectorTest, GradualDarkContentIsNotABorder) {
  // Black at the top, with lit pixels growing denser row by row: the first
  // rows are uniform, but the content fades in rather than starting.
  TestImage image = Scene(320, 300, 23);
  std::mt19937 rng(4);
  for (int y = 0; y < 120; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const bool lit = int(rng() % 1000) < y * 5;
      const uint8_t v = lit ? uint8_t(60 + rng() % 100) : uint8_t(rng() % 6);
      image.Set(x, y, {v, v, v});
    }
  }
  const std::optional<ContentRect> rect = FindContentRect(image.view(), {});
  EXPECT_TRUE(!rect.has_value() || rect->y == 0) << rect->y;
}

TEST(BorderDetectorTest, LineDrawnInsideABarIsBorder) {
  // A black frame with a white line drawn in its middle: bar, line, bar.
  const TestImage scene = Scene(300, 240, 31);
  TestImage image = Bordered(scene, {18, 18, 18, 18}, {0, 0, 0});
  image = Bordered(image, {2, 2, 2, 2}, {255, 255, 255});
  image = Bordered(image, {20, 20, 20, 20}, {0, 0, 0});
  EXPECT_EQ(FindContentRect(image.view(), {}),
            (ContentRect{40, 40, scene.width, scene.height}));
}

// `scene` with its rows [from, to) set by `row_luma(y)` (each row uniform).
TestImage WithUniformRows(TestImage scene, int from, int to,
                          int (*row_luma)(int)) {
  for (int y = from; y < to; ++y) {
    const uint8_t v = uint8_t(row_luma(y));
    for (int x = 0; x < scene.width; ++x) scene.Set(x, y, {v, v, v});
  }
  return scene;
}

TEST(BorderDetectorTest, BorderBesideAVerticalGradientIsTrimmedToTheStep) {
  // A wallpaper whose top two thirds are a steep vertical gradient (every
  // row uniform, ~70 bands of the band tolerance), in a black border: the
  // border ends where the gradient starts.
  const TestImage content = WithUniformRows(Scene(320, 300, 37), 0, 200,
                                            [](int y) { return 30 + y; });
  for (const Sides& sides : {Sides{16, 16, 16, 16}, Sides{50, 50, 0, 0}}) {
    const TestImage image = Bordered(content, sides, {0, 0, 0});
    EXPECT_EQ(FindContentRect(image.view(), {}), Inner(content, sides))
        << sides.top << " " << sides.left;
  }
}

TEST(BorderDetectorTest, FlatRegionOfThePictureBeyondTheBorderIsKept) {
  // A picture with a flat grey strip along its bottom and left (part of
  // it: a wall, a sky), in a white or black border and in bars on those
  // sides: the border ends at its step, the strip stays in the content,
  // also once the side borders are gone and the strip's rows are uniform.
  // (A strip at an edge with no border is a border to the detector.)
  TestImage content =
      WithUniformRows(Scene(300, 240, 41), 200, 240, [](int) { return 128; });
  for (int y = 0; y < content.height; ++y) {
    for (int x = 0; x < 20; ++x) content.Set(x, y, {60, 60, 60});
  }
  const uint8_t white[3] = {255, 255, 255};
  const uint8_t black[3] = {0, 0, 0};
  for (const Sides& sides : {Sides{24, 24, 24, 24}, Sides{40, 40, 30, 0}}) {
    for (const auto* colour : {&white, &black}) {
      const TestImage image = Bordered(content, sides, *colour);
      EXPECT_EQ(FindContentRect(image.view(), {}), Inner(content, sides))
          << sides.top << " " << sides.left << " colour " << int((*colour)[0]);
    }
  }
}

TEST(BorderDetectorTest, FlatRegionThatFadesInEndsTheBorderAtTheStep) {
  // Beyond the border, two uniform columns of another level, then content
  // that fades in from that level: the border is the band before the step.
  TestImage content = Scene(300, 240, 43);
  std::mt19937 rng(6);
  for (int y = 0; y < content.height; ++y) {
    for (int x = 0; x < 60; ++x) {
      const bool lit = x >= 2 && int(rng() % 1000) < (x - 2) * 8;
      const uint8_t v = lit ? uint8_t(rng() % 256) : uint8_t(200);
      content.Set(x, y, {v, v, v});
    }
  }
  const Sides sides{0, 0, 30, 0};
  const TestImage image = Bordered(content, sides, {40, 40, 40});
  EXPECT_EQ(FindContentRect(image.view(), {}), Inner(content, sides));
}

TEST(BorderDetectorTest, BlackBorderBesideDarkContentThatStartsAbruptly) {
  // Dark content next to a black border: most of its pixels are within the
  // pixel tolerance of black, but a fifth are not from its first row on.
  TestImage content = Scene(320, 240, 47);
  std::mt19937 rng(8);
  for (int y = 0; y < 80; ++y) {
    for (int x = 0; x < content.width; ++x) {
      const uint8_t v =
          rng() % 5 == 0 ? uint8_t(40 + rng() % 60) : uint8_t(rng() % 9);
      content.Set(x, y, {v, v, v});
    }
  }
  const Sides sides{20, 20, 20, 20};
  const TestImage image = Bordered(content, sides, {0, 0, 0});
  EXPECT_EQ(FindContentRect(image.view(), {}), Inner(content, sides));
}

TEST(BorderDetectorTest, FlatPictureInBarsIsTrimmedToTheBars) {
  const TestImage flat = Bordered(Scene(1, 1), {0, 149, 0, 199}, {90, 90, 90});
  const TestImage image = Bordered(flat, {40, 40, 0, 0}, {0, 0, 0});
  EXPECT_EQ(FindContentRect(image.view(), {}),
            (ContentRect{0, 40, flat.width, flat.height}));
}

TEST(BorderDetectorTest, ShadedWallInBarsIsTrimmedToTheBars) {
  // A plain wall in a letterboxed video frame: every row uniform, the
  // columns a smooth shading from luma 136 to 147 (a gradient edge to edge
  // once the bars are gone). The bars are a border; the wall is content.
  TestImage wall{320, 180, PixelFormat::kRgb, {}};
  wall.pixels.resize(size_t(320) * 180 * 3);
  for (int y = 0; y < wall.height; ++y) {
    for (int x = 0; x < wall.width; ++x) {
      const uint8_t v = uint8_t(136 + 11 * x / wall.width);
      wall.Set(x, y, {v, v, v});
    }
  }
  const Sides bars{30, 30, 0, 0};
  const TestImage image = Bordered(wall, bars, {0, 0, 0});
  EXPECT_EQ(FindContentRect(image.view(), {}), Inner(wall, bars));
}

TEST(BorderDetectorTest, DarkPhotoWithAFlatEdgeIsNotTrimmed) {
  // A night photo: a black sky over its top third that the content fades
  // into, no border.
  TestImage image =
      WithUniformRows(Scene(320, 300, 53), 0, 30, [](int) { return 2; });
  std::mt19937 rng(10);
  for (int y = 30; y < 120; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const bool lit = int(rng() % 1000) < (y - 30) * 4;
      const uint8_t v = lit ? uint8_t(60 + rng() % 100) : uint8_t(rng() % 5);
      image.Set(x, y, {v, v, v});
    }
  }
  const std::optional<ContentRect> rect = FindContentRect(image.view(), {});
  EXPECT_TRUE(!rect.has_value() || rect->y == 0) << rect->y;
}

TEST(BorderDetectorTest, OneFrameHasOneReading) {
  // A plain border, bars, and a frame with a line drawn in it: one way to
  // read each, so no second hash.
  const TestImage scene = Scene(300, 240, 59);
  EXPECT_EQ(FindContentRects(scene.view(), {}), std::nullopt);
  const TestImage white = Bordered(scene, {20, 20, 20, 20}, {255, 255, 255});
  const TestImage bars = Bordered(scene, {40, 40, 0, 0}, {0, 0, 0});
  TestImage framed = Bordered(scene, {18, 18, 18, 18}, {0, 0, 0});
  framed = Bordered(framed, {2, 2, 2, 2}, {255, 255, 255});
  framed = Bordered(framed, {20, 20, 20, 20}, {0, 0, 0});
  const TestImage* images[] = {&white, &bars, &framed};
  for (const TestImage* image : images) {
    const std::optional<ContentRects> rects =
        FindContentRects(image->view(), {});
    ASSERT_TRUE(rects.has_value());
    EXPECT_EQ(rects->content, FindContentRect(image->view(), {}));
    EXPECT_EQ(rects->alternative, std::nullopt) << image->width;
  }
}

TEST(BorderDetectorTest, AStripOfThePicturesOwnIsKeptInTheAlternative) {
  // A picture with a grey strip along its right side, letterboxed: the
  // strip, at an edge with no bar, is trimmed as a border of its own; the
  // second reading keeps it (only the bars' colour is the added frame),
  // which is what the bank's hash of the whole picture has.
  TestImage content = Scene(300, 240, 61);
  for (int y = 0; y < content.height; ++y) {
    for (int x = 290; x < 300; ++x) content.Set(x, y, {128, 128, 128});
  }
  const Sides bars{40, 40, 0, 0};
  const TestImage image = Bordered(content, bars, {0, 0, 0});
  const std::optional<ContentRects> rects = FindContentRects(image.view(), {});
  ASSERT_TRUE(rects.has_value());
  EXPECT_EQ(rects->content, (ContentRect{0, 40, 290, 240}));
  EXPECT_EQ(rects->alternative, Inner(content, bars));
}

TEST(BorderDetectorTest, AFrameSideAgainstAnEdgeOfItsLumaIsMadeAsDeep) {
  // A picture that fades in from black along its left side, in a black
  // frame: no step on the left, so the first reading keeps that side of
  // the frame; the second makes it as deep as the right side.
  TestImage content = Scene(300, 240, 67);
  std::mt19937 rng(12);
  for (int y = 0; y < content.height; ++y) {
    for (int x = 0; x < 80; ++x) {
      const bool lit = int(rng() % 1000) < x * 6;
      const uint8_t v = lit ? uint8_t(60 + rng() % 100) : uint8_t(rng() % 4);
      content.Set(x, y, {v, v, v});
    }
  }
  const Sides frame{16, 16, 16, 16};
  const TestImage image = Bordered(content, frame, {0, 0, 0});
  const std::optional<ContentRects> rects = FindContentRects(image.view(), {});
  ASSERT_TRUE(rects.has_value());
  EXPECT_EQ(rects->content, (ContentRect{0, 16, 316, 240}));
  EXPECT_EQ(rects->alternative, Inner(content, frame));
}

TEST(BorderDetectorTest, BarsOnBothAxesAreReadEachAxisAlone) {
  // A picture with black pillars of its own, inside added black letterbox
  // bars: one frame to the first reading; the bars of each axis alone are
  // the next readings (the first of them is the picture with its pillars).
  const TestImage scene = Scene(240, 200, 71);
  const TestImage pillared = Bordered(scene, {0, 0, 30, 30}, {0, 0, 0});
  const TestImage image = Bordered(pillared, {50, 50, 0, 0}, {0, 0, 0});
  const std::vector<ContentRect> readings =
      FindContentReadings(image.view(), {});
  const ContentRect content = Inner(scene, {50, 50, 30, 30});
  EXPECT_EQ(readings,
            (std::vector<ContentRect>{content, Inner(pillared, {50, 50, 0, 0}),
                                      ContentRect{30, 0, 240, 300}}));

  // Bars on one axis, or none: nothing but the content rectangle.
  const TestImage bars = Bordered(scene, {40, 40, 0, 0}, {0, 0, 0});
  EXPECT_EQ(FindContentReadings(bars.view(), {}),
            (std::vector<ContentRect>{Inner(scene, {40, 40, 0, 0})}));
  EXPECT_TRUE(FindContentReadings(scene.view(), {}).empty());
}

TEST(BorderDetectorTest, CropViewBorrowsTheRectangle) {
  TestImage image = Scene(50, 40, 29);
  const PixelView crop = CropView(image.view(), {7, 5, 20, 30});
  EXPECT_EQ(crop.width, 20);
  EXPECT_EQ(crop.height, 30);
  EXPECT_EQ(crop.stride, image.view().stride);
  EXPECT_EQ(crop.data, image.at(7, 5));
  EXPECT_EQ(crop.data + 29 * crop.stride + 19 * 3, image.at(26, 34));
}

}  // namespace
}  // namespace clearmatch
