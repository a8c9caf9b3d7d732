import type { NextConfig } from 'next';

const config: NextConfig = {
  // The CASL rules are shared with the api as TypeScript source (`@dialoop/api/rbac`).
  transpilePackages: ['@dialoop/api'],
  poweredByHeader: false,
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
