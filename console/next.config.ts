import type { NextConfig } from 'next';

const config: NextConfig = {
  // The CASL rules are shared with the api as TypeScript source (`@dialoop/api/rbac`).
  transpilePackages: ['@dialoop/api'],
  poweredByHeader: false,
  // The container image (infra/images/console.Containerfile) serves Next.js's standalone server,
  // which carries only the files the build traced; `npm start` serves the ordinary build.
  ...(process.env.CONSOLE_STANDALONE === '1' ? { output: 'standalone' as const } : {}),
  reactStrictMode: true,
  // Typecheck and lint run in `pnpm check`, not twice inside the build.
  typescript: { ignoreBuildErrors: true },
  experimental: { optimizePackageImports: ['@mantine/core', '@mantine/hooks', '@mantine/charts'] },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default config;
