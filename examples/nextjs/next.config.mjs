/** @type {import('next').NextConfig} */
const nextConfig = {
  // @banata-auth/native loads a native addon (.node file): Next.js must require it from
  // node_modules at run time instead of bundling it.
  serverExternalPackages: ['@banata-auth/native'],
}

export default nextConfig
