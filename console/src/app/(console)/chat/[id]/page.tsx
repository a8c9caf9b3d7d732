import { ChatScreen } from '@/features/chat';

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ChatScreen conversationId={id} />;
}
