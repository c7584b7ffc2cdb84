import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentViewer } from "@/lib/viewer";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await currentViewer()) redirect("/persons");
  const { next } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold tracking-tight text-brand-700">Tandem</h1>
        <p className="mb-6 text-sm text-slate-600">Sign in to your CRM.</p>
        <div className="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
          <SignInForm next={typeof next === "string" ? next : undefined} />
        </div>
      </div>
    </main>
  );
}
